import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDb, dialects } from '../helpers/test-db';
import { watchSandboxStart } from '../helpers/sandbox-output';

/**
 * `npm start` itself: prestart bundles src/main.ts into dist/main.js and node runs that, not tsx. The other
 * process tests run the source on tsx, so this one keeps the bundle from rotting: migrations, the console's and
 * the sandbox's files must all be found from dist/.
 */

const ROOT = path.resolve(__dirname, '../..');
const SCRIPTS = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

describe.each(dialects())('npm start runs the bundle (%s)', (dialect) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-bundle-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    // A failed run leaves npm and the bot behind: end their process group (npm's own, as it was detached).
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds dist/main.js, starts the sandbox from it, answers /healthz and serves its files', async () => {
    expect(SCRIPTS.start).toMatch(/ dist\/main\.js$/);
    expect(SCRIPTS.start).not.toMatch(/tsx/);
    const tdb = await createTestDb(dialect, { migrate: false });
    const before = Date.now();
    // Only what a fresh clone has: no Slack variables, a database nobody has migrated.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      PORT: '0',
      DATABASE_URL: tdb.url,
      LOG_LEVEL: 'info',
    };
    const proc = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    const started = watchSandboxStart(proc);
    const sandboxUrl = await started.url;
    // Built by this start, with a linked source map beside it.
    const bundle = path.join(ROOT, 'dist/main.js');
    expect(statSync(bundle).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    expect(started.output()).toMatch(/node [^\n]*dist\/main\.js/);
    expect(started.output()).toMatch(/No Slack credentials found/);
    const base = sandboxUrl.replace(/\/sandbox$/, '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const css = await fetch(`${base}/console/assets/console.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toBe(readFileSync(path.join(ROOT, 'src/adapters/console/assets/console.css'), 'utf8'));
    // The sandbox page reads the database (so every migration of the bundle ran) and inlines its own files.
    const page = await fetch(sandboxUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<span class="tag">SANDBOX</span>');
    const sandboxCss = await fetch(`${base}/sandbox/assets/sandbox.css`);
    expect(await sandboxCss.text()).toBe(readFileSync(path.join(ROOT, 'src/sandbox/assets/sandbox.css'), 'utf8'));
    // Recorded under the file names, as databases migrated by tsx runs already have them.
    const files = readdirSync(path.join(ROOT, 'migrations'))
      .filter((f) => f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(tdb.db);
    expect(recorded.rows.map((r) => r.name)).toEqual(files.sort());
    // As a terminal's Ctrl-C or a service manager stops it: the signal goes to npm and the bot, its child.
    // 'close', not 'exit': npm may leave first; the pipes close once the bot has stopped too.
    const exited = new Promise<string>((resolve) => proc.on('close', (code, signal) => resolve(`${code ?? signal}`)));
    process.kill(-proc.pid!, 'SIGTERM');
    expect(await exited).toMatch(/^(0|SIGTERM)$/);
    expect(started.output()).toMatch(/"closedClean":true/);
    expect(started.output()).not.toMatch(/\n\s+at /);
    expect(started.output()).not.toMatch(/npm error/);
    await tdb.destroy();
  }, 120_000);
});
