import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database, DB } from './schema';
import { sqliteLanesDialect } from './sqlite-lanes.driver';

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
  /**
   * Postgres: a pooled connection died (server restart, failover, pg_terminate_backend). node-postgres
   * emits these as 'error' events, which end the process when nobody listens; the pool replaces the
   * connection by itself. Default: ignored (the query that used it fails and says why).
   */
  onConnectionError?: (err: Error) => void;
  /** SQLite file: a second, read-only connection for reads outside transactions (default on). */
  readConnection?: boolean;
}

export function createDb(target: DbTarget, opts: CreateDbOptions = {}): DB {
  if (target.dialect === 'postgres') {
    // A bounded wait for a connection: during an outage a request fails (503) instead of queueing forever.
    const pool = new pg.Pool({ connectionString: target.location, max: opts.poolMax ?? 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
    const onError = (err: Error) => opts.onConnectionError?.(err);
    pool.on('error', onError);
    // A checked-out client has no pool listener: one of our own, so its death mid-transaction is no crash either.
    pool.on('connect', (client) => client.on('error', onError));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const memory = target.location === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(target.location)), { recursive: true });
  const sqlite = new SQLite(target.location);
  // WAL lets readers run during a write; busy_timeout waits out a second process instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // A checkpoint every 4,000 WAL pages (16 MB; SQLite's default is 1,000): a page rewritten by many alert
  // commits in between is copied back once, and commits pay for fewer checkpoints (fresh alert batches: +11 %).
  sqlite.pragma('wal_autocheckpoint = 4000');
  // Reads outside a transaction go to a second, read-only connection (sqlite-lanes.driver.ts): they never
  // queue behind the transaction in progress. A memory database has no second connection to open.
  const reader = memory || opts.readConnection === false ? undefined : new SQLite(target.location, { readonly: true });
  reader?.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: sqliteLanesDialect(cachingStatements(sqlite), reader && cachingStatements(reader)) });
}

/**
 * Kysely prepares every query anew; with better-sqlite3 a prepared statement is reusable, and
 * preparing was ~5 % of the bot's CPU under command load. Bounded: a burst of one-off SQL (bulk inserts
 * of varying width) just resets the cache.
 */
function cachingStatements(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  // SQLite rolls a transaction back by itself on SQLITE_FULL / SQLITE_IOERR; Kysely's own rollback then
  // fails with "no transaction is active" and hides the real error (a 500 instead of a clear 503).
  const rollbackIfOpen = {
    reader: false,
    run: () => (sqlite.inTransaction ? sqlite.prepare('rollback').run() : { changes: 0, lastInsertRowid: 0 }),
  };
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      if (sql === 'rollback') return rollbackIfOpen as unknown as SQLite.Statement;
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

/** Postgres SQLSTATE classes/codes meaning "the server or the connection is gone", not "your query is wrong". */
const PG_UNAVAILABLE = /^(08|57P0[1-4]|53300|58030)/;
/** SQLite: the file cannot be written (read-only, full disk or page limit, I/O error) or stays locked. */
const SQLITE_UNAVAILABLE = /^SQLITE_(READONLY|FULL|IOERR|CANTOPEN|BUSY|LOCKED|PROTOCOL|NOMEM)/;

/**
 * True when a failure is the database being unreachable or unwritable (restart, failover, killed
 * backends, a full or read-only SQLite file): the request can succeed later, so it is answered 503 with
 * Retry-After rather than 500; nothing of it was committed.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let err = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; err && depth < 4; err = err.cause as typeof err, depth++) {
    const code = typeof err.code === 'string' ? err.code : '';
    if (PG_UNAVAILABLE.test(code) || SQLITE_UNAVAILABLE.test(code)) return true;
    if (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)) return true;
    const message = typeof err.message === 'string' ? err.message : '';
    if (/Connection terminated|not queryable|terminating connection|timeout exceeded when trying to connect|Client was closed|the database system is (starting up|shutting down)/i.test(message)) return true;
  }
  return false;
}

/** Unique-constraint violations on either dialect: the signal to retry an optimistic write. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed/.test(err?.message ?? '');
}
