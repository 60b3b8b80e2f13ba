import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/**
 * SQLite with two lanes: one writer connection, held for a whole transaction (SQLite has one writer), and,
 * for a file database in WAL mode, a read-only connection that runs every read made outside a transaction
 * at once. Kysely's own SQLite driver queues every statement behind the transaction in progress, so a slash
 * command's first read (its incident, by channel) waited for a whole alert group commit; WAL readers see the
 * last commit and never wait for the writer. Reads inside a transaction stay on the writer (they must see
 * its own uncommitted rows).
 */

/** What the lanes need of a better-sqlite3 handle (create-db.ts wraps it with a statement cache). */
export interface StatementSource {
  prepare(sql: string): SQLite.Statement;
  close(): void;
}

const QUERY = /^\s*(select|with)\b/i;

class Mutex {
  #held = false;
  #waiting: Array<() => void> = [];

  async lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** First come, first served: the lock passes straight to the next waiter. */
  unlock(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

function run(db: StatementSource, { sql, parameters }: CompiledQuery): QueryResult<unknown> {
  const stmt = db.prepare(sql);
  if (stmt.reader) return { rows: stmt.all(parameters as unknown[]) };
  const { changes, lastInsertRowid } = stmt.run(parameters as unknown[]);
  return {
    numAffectedRows: changes != null ? BigInt(changes) : undefined,
    insertId: lastInsertRowid != null ? BigInt(lastInsertRowid) : undefined,
    rows: [],
  };
}

class LaneConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(private readonly lanes: SqliteLanesDriver) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return this.lanes.execute(this, q) as Promise<QueryResult<R>>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite here');
  }
}

export class SqliteLanesDriver implements Driver {
  readonly #writer: StatementSource;
  readonly #reader?: StatementSource;
  readonly #mutex = new Mutex();

  constructor(writer: StatementSource, reader?: StatementSource) {
    this.#writer = writer;
    this.#reader = reader;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new LaneConnection(this);
  }

  async execute(conn: LaneConnection, q: CompiledQuery): Promise<QueryResult<unknown>> {
    if (conn.inTransaction) return run(this.#writer, q);
    // Only queries: a pragma is per connection (max_page_count, foreign_keys…) and must reach the writer.
    if (this.#reader && QUERY.test(q.sql)) {
      const stmt = this.#reader.prepare(q.sql);
      if (stmt.readonly && stmt.reader) return { rows: stmt.all(q.parameters as unknown[]) };
    }
    await this.#mutex.lock();
    try {
      return run(this.#writer, q);
    } finally {
      this.#mutex.unlock();
    }
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await this.#mutex.lock();
    try {
      run(this.#writer, CompiledQuery.raw('begin'));
    } catch (e) {
      this.#mutex.unlock();
      throw e;
    }
    (conn as LaneConnection).inTransaction = true;
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    // A failed commit keeps the lock: Kysely rolls back next, and that releases it.
    run(this.#writer, CompiledQuery.raw('commit'));
    this.#end(conn as LaneConnection);
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    try {
      run(this.#writer, CompiledQuery.raw('rollback'));
    } finally {
      this.#end(conn as LaneConnection);
    }
  }

  async savepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`savepoint "${name.replace(/"/g, '')}"`));
  }

  async rollbackToSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`rollback to "${name.replace(/"/g, '')}"`));
  }

  async releaseSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`release "${name.replace(/"/g, '')}"`));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const c = conn as LaneConnection;
    if (c.inTransaction) await this.rollbackTransaction(c); // never left open by Kysely; a guard all the same
  }

  async destroy(): Promise<void> {
    this.#reader?.close();
    this.#writer.close();
  }

  #end(conn: LaneConnection) {
    if (!conn.inTransaction) return;
    conn.inTransaction = false;
    this.#mutex.unlock();
  }
}

export const sqliteLanesDialect = (writer: StatementSource, reader?: StatementSource): Dialect => ({
  createAdapter: () => new SqliteAdapter(),
  createDriver: () => new SqliteLanesDriver(writer, reader),
  createIntrospector: (db) => new SqliteIntrospector(db),
  createQueryCompiler: () => new SqliteQueryCompiler(),
});
