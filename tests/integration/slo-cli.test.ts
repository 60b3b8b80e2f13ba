import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [path.join(ROOT, 'bin/revenant.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The operator CLI for heartbeats and the health grid, as a subprocess on a fresh SQLite file. */
describe('revenant CLI: heartbeats and health', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-slo-cli-'));
  const env = {
    DATABASE_URL: path.join(dir, 'cli.db'),
    CATALOG_PATH: path.join(dir, 'catalog'),
    SLOS_PATH: path.join(dir, 'slos'),
  };
  mkdirSync(env.CATALOG_PATH);
  mkdirSync(env.SLOS_PATH);
  writeFileSync(
    path.join(env.CATALOG_PATH, 'catalog-info.yaml'),
    'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: checkout }\nspec: { type: service, owner: team-a, lifecycle: production }\n',
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connector add --kind heartbeat takes --interval and --grace, and refuses a bad one', async () => {
    const ok = await cli(
      [
        'connector',
        'add',
        '--org',
        'T1',
        '--kind',
        'heartbeat',
        '--name',
        'backup',
        '--interval',
        '1h',
        '--grace',
        '10m',
      ],
      env,
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      id: expect.stringMatching(/^con_/),
      token: expect.stringMatching(/^rvn_/),
    });
    const bad = await cli(['connector', 'add', '--org', 'T1', '--kind', 'heartbeat', '--interval', 'often'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The interval "often" is not a duration like 30s, 5m, 1h or 1d');
  });

  it('health prints one JSON line per catalog service', async () => {
    const r = await cli(['health', '--org', 'T1'], env);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { service: 'checkout', owner: 'team-a', status: 'healthy', reasons: [], slos: [], incidents: [] },
    ]);
  });
});
