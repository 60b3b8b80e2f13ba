import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type DbTarget } from '../src/adapters/db/create-db';
import { migrateToLatest } from '../src/adapters/db/migrate';
import type { DB } from '../src/adapters/db/schema';

export type Dialect = 'sqlite' | 'postgres';

/** SQLite always; Postgres when TEST_DATABASE_URL is set (the same switch the test suite uses). */
export const benchDialects = (): Dialect[] => (process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']);

export interface BenchDb {
  db: DB;
  target: DbTarget;
  /** DATABASE_URL that reaches the same database from the bot's process. */
  url: string;
  /** SQLite file path (sqlite only). */
  file?: string;
  destroy(): Promise<void>;
}

/** A fresh, migrated database: a temp SQLite file, or a throw-away schema on TEST_DATABASE_URL. */
export async function createBenchDb(dialect: Dialect): Promise<BenchDb> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'revenant-bench-db-'));
    const file = path.join(dir, 'bench.db');
    const target: DbTarget = { dialect: 'sqlite', location: file };
    const db = createDb(target);
    await migrateToLatest(db);
    return {
      db,
      target,
      url: file,
      file,
      async destroy() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  // BENCH_PG_LOG=1: the server logs every statement of the bench's connections with its duration.
  const log = process.env.BENCH_PG_LOG ? ' -c log_min_duration_statement=0' : '';
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}${log}`)}`;
  const target: DbTarget = { dialect: 'postgres', location: url };
  const db = createDb(target, { poolMax: 4 });
  await migrateToLatest(db);
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
