import { CompiledQuery, sql } from 'kysely';
import type { Trx } from './schema';

/** Every read model the rebuild drops and writes again. */
export const REBUILT = [
  'incident_timeline',
  'incident_actions',
  'incident_signals',
  'incident_members',
  'slo_violations',
  'incidents',
] as const;
export type ReadModel = (typeof REBUILT)[number];

/** Postgres: as many rows per statement as its bound-parameter limit (65535) comfortably allows. */
const MAX_PARAMS = 30_000;
/** SQLite: a fixed row count keeps the statement text identical, so a prepared-statement cache can reuse it. */
const SQLITE_ROWS = 100;
/**
 * A rebuild writes millions of rows; building each chunk through Kysely's insert builder cost more
 * than SQLite's own insert, so the statement text is made once per (table, row count) and only the
 * parameters change. Identifiers are the row builders' fixed keys, never input.
 */
export function bulkInserter(trx: Trx, pg: boolean) {
  const texts = new Map<string, string>();
  const text = (table: ReadModel, columns: readonly string[], rows: number) => {
    const key = `${table}:${rows}`;
    let t = texts.get(key);
    if (!t) {
      let n = 0;
      const tuple = () => `(${columns.map(() => (pg ? `$${++n}` : '?')).join(', ')})`;
      const list = columns.map((c) => `"${c}"`).join(', ');
      t = `insert into "${table}" (${list}) values ${Array.from({ length: rows }, tuple).join(', ')}`;
      texts.set(key, t);
    }
    return t;
  };
  /** `params` holds whole rows, `columns.length` values each, in `columns`' order. */
  async function insertFlat(table: ReadModel, columns: readonly string[], params: unknown[]) {
    const rows = params.length / columns.length;
    const per = pg ? Math.max(1, Math.floor(MAX_PARAMS / columns.length)) : SQLITE_ROWS;
    for (let i = 0; i < rows; i += per) {
      const n = Math.min(per, rows - i);
      const chunk = n === rows ? params : params.slice(i * columns.length, (i + n) * columns.length);
      await trx.executeQuery(CompiledQuery.raw(text(table, columns, n), chunk));
    }
  }
  return { insertFlat };
}

/**
 * SQLite only: building an index once from sorted data is cheaper than updating it row by row, so the
 * rebuilt tables' secondary indexes are dropped before the load and made again after it, inside the
 * rebuild's transaction (a failure rolls the drop back with everything else). Postgres keeps its
 * indexes: dropping one would lock readers out of the read models until the commit.
 */
export async function dropSqliteIndexes(trx: Trx): Promise<{ recreate: () => Promise<void> }> {
  const indexes = (
    await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
      where type = 'index' and sql is not null and tbl_name in (${sql.join([...REBUILT])})`.execute(trx)
  ).rows;
  for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(trx);
  return {
    /** The dropped indexes, made again from their own `create index` text. */
    recreate: async () => {
      for (const i of indexes) await sql.raw(i.sql).execute(trx);
    },
  };
}
