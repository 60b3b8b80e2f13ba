import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index';
import { knownMigrationNames, MIGRATIONS_DIR } from '../../src/adapters/db/migrate';

/** The bundle carries migrations only through migrations/index.ts: a file missing there would never run. */
describe('migrations/index.ts', () => {
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => f !== 'index.ts');

  it('lists every migration file under its file name, and nothing else', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^\d{8}_\d{4}_[a-z0-9_]+\.ts$/);
    expect(Object.keys(MIGRATIONS).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
    expect(knownMigrationNames()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
  });

  it('maps each name to that file’s own up and down', async () => {
    for (const f of files) {
      const mod = (await import(`../../migrations/${f}`)) as { up: unknown; down?: unknown };
      const entry = MIGRATIONS[f.replace(/\.ts$/, '')]!;
      expect(entry.up).toBe(mod.up);
      expect(entry.down).toBe(mod.down);
    }
  });
});
