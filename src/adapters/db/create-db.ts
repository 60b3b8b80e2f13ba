import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database, DB } from './schema';

export type DialectName = 'sqlite' | 'postgres';

export interface DbTarget {
  dialect: DialectName;
  /** Postgres connection string or SQLite file path (`:memory:` allowed). */
  location: string;
}

/** `postgres://…`/`postgresql://…` → Postgres; `sqlite:<path>` or a bare path → SQLite. */
export function parseDatabaseUrl(url: string | undefined): DbTarget {
  const u = (url ?? '').trim();
  if (/^postgres(ql)?:\/\//i.test(u)) return { dialect: 'postgres', location: u };
  const path = u.replace(/^sqlite:(\/\/)?/i, '') || './data/revenant.db';
  return { dialect: 'sqlite', location: path };
}

export interface CreateDbOptions {
  poolMax?: number;
}

export function createDb(target: DbTarget, opts: CreateDbOptions = {}): DB {
  if (target.dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.location, max: opts.poolMax ?? 10, idleTimeoutMillis: 30_000 });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (target.location !== ':memory:') mkdirSync(dirname(resolve(target.location)), { recursive: true });
  const sqlite = new SQLite(target.location);
  // WAL lets readers run during a write; busy_timeout waits out a second process instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
}

/**
 * Kysely prepares every query anew; with better-sqlite3 a prepared statement is reusable, and
 * preparing was ~5 % of the bot's CPU under command load. Bounded: a burst of one-off SQL (bulk inserts
 * of varying width) just resets the cache.
 */
function cachingStatements(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= max) cache.clear();
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

export const dialectOf = (db: { getExecutor(): { adapter: unknown } }): DialectName =>
  db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';

/** Unique-constraint violations on either dialect: the signal to retry an optimistic write. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed/.test(err?.message ?? '');
}
