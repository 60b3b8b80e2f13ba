import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createDb, type DbTarget } from '../../src/adapters/db/create-db';
import { migrateToLatest } from '../../src/adapters/db/migrate';
import type { Database, DB } from '../../src/adapters/db/schema';

export type Dialect = 'sqlite' | 'postgres';

/** SQLite always; Postgres when TEST_DATABASE_URL is set (.ci/run sets it). */
export const dialects = (): Dialect[] => (process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']);

export interface TestDb {
  db: DB;
  target: DbTarget;
  /** DATABASE_URL that reaches the same database from another process. */
  url: string;
  destroy(): Promise<void>;
}

/** A fresh, migrated database: a temp SQLite file, or a new Postgres schema on TEST_DATABASE_URL. */
export async function createTestDb(dialect: Dialect, opts: { migrate?: boolean } = {}): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'revenant-test-'));
    const file = path.join(dir, 'test.db');
    const target: DbTarget = { dialect: 'sqlite', location: file };
    const db = createDb(target);
    if (opts.migrate !== false) await migrateToLatest(db);
    return {
      db,
      target,
      url: file,
      async destroy() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const sep = base.includes('?') ? '&' : '?';
  const url = `${base}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const target: DbTarget = { dialect: 'postgres', location: url };
  const db = createDb(target, { poolMax: 5 });
  if (opts.migrate !== false) await migrateToLatest(db);
  return {
    db,
    target,
    url,
    async destroy() {
      await db.destroy();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/**
 * A test file's database for one dialect: created before its tests, the given tables emptied before each,
 * destroyed after. `use` receives it once created (so the file can keep a plain `tdb` variable).
 */
export function useTestDb(dialect: Dialect, emptied: Array<keyof Database>, use: (tdb: TestDb) => void): void {
  let tdb: TestDb | undefined;
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
    use(tdb);
  });
  beforeEach(async () => {
    for (const table of emptied) await tdb!.db.deleteFrom(table).execute();
  });
  afterAll(async () => tdb?.destroy());
}
