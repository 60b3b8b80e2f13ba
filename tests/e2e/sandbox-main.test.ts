import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDb, dialects } from '../helpers/test-db';
import { watchSandboxStart } from '../helpers/sandbox-output';

/** `npm start` on a fresh clone: no Slack credentials → the sandbox, with its URL printed, and a clean stop. */

const ROOT = path.resolve(__dirname, '../..');

describe.each(dialects())('npm start without Slack credentials (%s)', (dialect) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-start-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints what is missing, starts the sandbox, prints its URL, serves it, and stops cleanly on SIGTERM', async () => {
    const tdb = await createTestDb(dialect);
    // Only PATH and what a fresh clone would have: no Slack variables at all.
    const env = { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: dialect === 'sqlite' ? path.join(dir, 'sandbox.db') : tdb.url, LOG_LEVEL: 'info' };
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const started = watchSandboxStart(proc);
    const url = await started.url;
    expect(started.output()).toMatch(/No Slack credentials found/);
    expect(started.output()).toMatch(/Starting the local sandbox at http:\/\/127\.0\.0\.1:\d+\/sandbox/);
    expect(started.output()).toMatch(/Runbook Revenant sandbox is running/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<span class="tag">SANDBOX</span>');
    // An open live-update stream must not hold the shutdown up.
    const ac = new AbortController();
    const events = await fetch(url.replace(/\/sandbox$/, '/sandbox/events'), { signal: ac.signal });
    await events.body!.getReader().read();
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    ac.abort();
    expect(started.output()).toMatch(/"closedClean":true/);
    expect(started.output()).not.toMatch(/\n\s+at /);
    await tdb.destroy();
  });
});
