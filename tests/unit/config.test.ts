import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');

describe('config', () => {
  it('documents every variable it reads in .env.example and the README', () => {
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(CONFIG_KEYS.length).toBeGreaterThan(20);
    expect(CONFIG_KEYS.filter((k) => !new RegExp(`^${k}=`, 'm').test(example))).toEqual([]);
    expect(CONFIG_KEYS.filter((k) => !readme.includes(`\`${k}\``))).toEqual([]);
  });

  it('applies the contract defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, publicUrl: 'http://localhost:3000', channelPrefix: 'inc', autoDeclare: 'breached', runbooksDir: './runbooks', logLevel: 'info' });
    expect(c.database).toEqual({ dialect: 'sqlite', location: './data/revenant.db' });
    expect(c.digest).toEqual({ channel: undefined, cron: '0 9 * * 1-5', timezone: 'UTC' });
    expect(c.slack).toMatchObject({ mode: 'none', apiUrl: 'https://slack.com/api/' });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).database.dialect).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toEqual({ dialect: 'sqlite', location: '/tmp/x.db' });
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: '70000', AUTO_DECLARE: 'always', GITHUB_REPOSITORY: 'nope' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      for (const k of ['PORT', 'AUTO_DECLARE', 'GITHUB_REPOSITORY']) expect(msg).toContain(`${k}:`);
    }
  });
});
