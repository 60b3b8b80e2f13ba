import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [path.join(ROOT, 'bin/revenant.js'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('operator CLI and start-up errors', () => {
  const db = path.join(mkdtempSync(path.join(tmpdir(), 'revenant-cli-')), 'cli.db');

  it('migrate, access grant and projections rebuild work on a fresh database', async () => {
    expect(await cli(['migrate'], { DATABASE_URL: db })).toMatchObject({ code: 0, stdout: '{"migrated":true}\n' });
    const grant = await cli(['access', 'grant', '--org', 'T1', '--user', 'U1', '--role', 'sre_lead'], { DATABASE_URL: db });
    expect(JSON.parse(grant.stdout)).toEqual({ org: 'T1', user: 'U1', role: 'sre_lead' });
    const rebuild = await cli(['projections', 'rebuild'], { DATABASE_URL: db });
    expect(JSON.parse(rebuild.stdout)).toMatchObject({ rebuilt: true, events: 0 });
  });

  it('bad flags and unknown commands explain themselves', async () => {
    const bad = await cli(['access', 'grant', '--org', 'T1', '--user', 'U1', '--role', 'boss'], { DATABASE_URL: db });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--role must be one of admin, sre_lead, responder, viewer/);
    const unknown = await cli(['frobnicate'], { DATABASE_URL: db });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/usage: revenant/);
  });

  it('invalid configuration stops with one readable message naming each variable, no stack trace', async () => {
    const r = await cli(['migrate'], { DATABASE_URL: db, PORT: 'eighty', SLACK_BOT_TOKEN: 'not-a-token', DIGEST_TIMEZONE: 'Mars/Olympus' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT: must be a whole number/);
    expect(r.stderr).toMatch(/SLACK_BOT_TOKEN: must start with xoxb-/);
    expect(r.stderr).toMatch(/DIGEST_TIMEZONE: must be an IANA time zone/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('npm start with half the Slack credentials names the missing one without a stack trace', async () => {
    let out: { code: number; stderr: string };
    try {
      await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: db, SLACK_BOT_TOKEN: 'xoxb-1', PORT: '0' }, timeout: 60_000 });
      out = { code: 0, stderr: '' };
    } catch (e) {
      out = e as { code: number; stderr: string };
    }
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN/);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
