import {
  type CompiledQuery,
  type Compilable,
  InsertQueryNode,
  PrimitiveValueListNode,
  type QueryResult,
  ValuesNode,
} from 'kysely';
import { dialectOf } from './create-db';
import type { DB, Trx } from './schema';

/**
 * Hot statements built with Kysely once per shape and then run again with new parameters only. Building
 * and compiling a statement through Kysely's builder cost more than SQLite's own work on a few rows
 * (fresh single alerts: ~7 % of the bot's CPU for the inserts alone). `build` stays the one source of
 * each statement: its first compilation is checked to bind exactly the parameters the caller lists, in
 * order, and a shape that binds anything else always goes through Kysely.
 */

/** Shapes remembered; past this many the memory starts over (one Kysely build each). */
const MAX_SHAPES = 1_000;

type Shape = CompiledQuery | 'kysely';
const shapes = new Map<string, Shape>();

const sameParams = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * What is remembered of a compiled insert: its text and its node without the first rows' values (a
 * storm's 500-row outbox insert would keep its payloads alive). The node keeps its shape (table, row
 * count, returning): the Postgres write coalescer decides from it what it may hold.
 */
function withoutValues(q: CompiledQuery): CompiledQuery {
  const node = q.query;
  if (!InsertQueryNode.is(node) || !node.values || !ValuesNode.is(node.values)) return { ...q, parameters: [] };
  const rows = node.values.values.map(() => PrimitiveValueListNode.create([]));
  return { ...q, query: { ...node, values: ValuesNode.create(rows) }, parameters: [] };
}

/** The statement for `key`, compiled by `build` on first use; `params` are bound to the remembered text after. */
function compiled(key: string, params: readonly unknown[] | undefined, build: () => Compilable): CompiledQuery {
  const known = params ? shapes.get(key) : 'kysely';
  if (known && known !== 'kysely') return { ...known, parameters: params! };
  const q = build().compile();
  if (params && !known) {
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, sameParams(q.parameters, params) ? withoutValues(q) : 'kysely');
  }
  return q;
}

/** The row's values in `columns`' order, or undefined when a row does not fit the shape. */
function flatten(rows: readonly Record<string, unknown>[], columns: readonly string[]): unknown[] | undefined {
  const params: unknown[] = new Array(rows.length * columns.length);
  let p = 0;
  for (const row of rows) {
    let keys = 0;
    for (const k in row) if (Object.hasOwn(row, k)) keys++;
    if (keys !== columns.length) return undefined;
    for (const c of columns) {
      const v = row[c];
      // undefined means DEFAULT to Kysely, an object may be an expression: neither is a plain parameter.
      if (v === undefined || (typeof v === 'object' && v !== null && !(v instanceof Date))) return undefined;
      params[p++] = v;
    }
  }
  return params;
}

/**
 * A multi-row insert, one shape per `name`, the rows' columns (in the first row's key order) and row
 * count. Its parameters must be the rows' values in row-major column order (a conflict clause may refer
 * to `excluded` columns and literals, not bind values). Rows whose keys differ from the first row's, or
 * that hold `undefined` or expressions, go through Kysely. Returns the affected-row count.
 */
export async function insertOnce<R extends Record<string, unknown>>(
  db: Trx | DB,
  name: string,
  rows: readonly R[],
  build: (rows: readonly R[]) => Compilable,
): Promise<bigint> {
  if (rows.length === 0) return 0n;
  const columns = Object.keys(rows[0]);
  const key = `${dialectOf(db)}\u0000insert\u0000${name}\u0000${rows.length}\u0000${columns.join(',')}`;
  const res = await db.executeQuery(compiled(key, flatten(rows, columns), () => build(rows)));
  return res.numAffectedRows ?? 0n;
}

/**
 * A query whose text depends only on `name` and how many parameters it binds: `params` are its bound
 * values in the order the statement binds them. A name must stand for one structure; where two lists'
 * lengths could trade places at one total, the name carries them.
 */
export async function queryOnce<R>(
  db: Trx | DB,
  name: string,
  params: readonly unknown[],
  build: () => Compilable<R>,
): Promise<R[]> {
  return (await executeOnce(db, name, params, build)).rows;
}

/** `queryOnce` for a statement whose result is more than rows (an update's affected-row count). */
export async function executeOnce<R>(
  db: Trx | DB,
  name: string,
  params: readonly unknown[],
  build: () => Compilable<R>,
): Promise<QueryResult<R>> {
  const key = `${dialectOf(db)}\u0000query\u0000${name}\u0000${params.length}`;
  return db.executeQuery<R>(compiled(key, params, build) as CompiledQuery<R>);
}

/** Tests: how many shapes of a name run without Kysely. */
export const compiledShapes = {
  cached: (name: string) => [...shapes].filter(([k, v]) => k.includes(`\u0000${name}\u0000`) && v !== 'kysely').length,
};
