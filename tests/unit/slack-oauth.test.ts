import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOT_SCOPES } from '../../src/adapters/slack/oauth-mode';
import { createTokenCipher } from '../../src/adapters/slack/token-cipher';
import { ConfigError, loadConfig } from '../../src/config';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `oauth_config.scopes.bot` of manifest.yml, read as text (the list is flat YAML: `- scope  # why`). */
function manifestBotScopes(): string[] {
  const lines = readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8').split('\n');
  const start = lines.findIndex((l, i) => /^\s+bot:\s*$/.test(l) && /^\s+scopes:\s*$/.test(lines[i - 1] ?? ''));
  expect(start, 'oauth_config.scopes.bot in manifest.yml').toBeGreaterThan(0);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^\s+-\s+([a-z:._-]+)\s*(#.*)?$/.exec(line);
    if (!m) break;
    out.push(m[1]);
  }
  return out;
}

describe('OAuth scopes', () => {
  it("asks for exactly manifest.yml's bot scopes", () => {
    expect(manifestBotScopes()).toEqual([...BOT_SCOPES]);
  });
});

describe('token cipher', () => {
  const cipher = createTokenCipher('state-secret-one');
  it('round-trips and never shows the plaintext', () => {
    const sealed = cipher.seal('xoxb-123-secret', 'row:T1');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('xoxb');
    expect(cipher.open(sealed, 'row:T1')).toBe('xoxb-123-secret');
    expect(cipher.seal('xoxb-123-secret', 'row:T1')).not.toBe(sealed); // fresh IV each time
  });

  it('refuses another row, another key, or a tampered value', () => {
    const sealed = cipher.seal('xoxb-123-secret', 'row:T1');
    expect(() => cipher.open(sealed, 'row:T2')).toThrow();
    expect(() => createTokenCipher('state-secret-two').open(sealed, 'row:T1')).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    expect(() => cipher.open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'row:T1')).toThrow();
    expect(() => cipher.open('xoxb-plain', 'row:T1')).toThrow(/not a sealed value/);
  });
});

describe('OAuth configuration', () => {
  const oauthEnv = { SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'cs', SLACK_SIGNING_SECRET: 'ss', SLACK_STATE_SECRET: 'st', DATABASE_URL: ':memory:' };

  it('is OAuth mode with all four variables', () => {
    expect(loadConfig(oauthEnv).slack).toMatchObject({ mode: 'oauth', clientId: '1.2', stateSecret: 'st' });
  });

  it('names SLACK_STATE_SECRET when it is missing', () => {
    const { SLACK_STATE_SECRET: _omit, ...env } = oauthEnv;
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/SLACK_STATE_SECRET: required in OAuth mode/);
  });

  it('start-up refuses it with that message and no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'revenant-oauth-config-'));
    try {
      const tsx = createRequire(import.meta.url).resolve('tsx');
      const { SLACK_STATE_SECRET: _omit, ...env } = oauthEnv;
      // An empty working directory: no .env is read, only this environment.
      const run = spawnSync(process.execPath, ['--import', tsx, path.join(ROOT, 'src/main.ts')], {
        cwd: dir,
        env: { PATH: process.env.PATH, ...env, DATABASE_URL: path.join(dir, 'x.db'), LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('SLACK_STATE_SECRET: required in OAuth mode');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
