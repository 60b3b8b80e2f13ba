import { type CompiledQuery, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { combineInserts, coalesceWrites, shiftPlaceholders } from '../../src/adapters/db/write-coalescer';
import { type TestDb, useTestDb } from '../helpers/test-db';

const ORG = 'T0001';
const at = '2026-12-06T10:00:00.000Z';

describe('write coalescer: statement text', () => {
  it('shifts placeholders, never inside quoted strings or identifiers', () => {
    expect(shiftPlaceholders(`insert into "t" ("a", "b") values ($1, $2), ($3, $10)`, 5)).toBe(
      `insert into "t" ("a", "b") values ($6, $7), ($8, $15)`,
    );
    expect(shiftPlaceholders(`select '$1', "$2" from t where a = $1 and b = 'it''s $3'`, 2)).toBe(
      `select '$1', "$2" from t where a = $3 and b = 'it''s $3'`,
    );
    expect(shiftPlaceholders('select $1', 0)).toBe('select $1');
  });

  it('one query stays as it is; several become data-modifying with items, parameters in order', () => {
    const q = (text: string, parameters: unknown[]) => ({ sql: text, parameters }) as unknown as CompiledQuery;
    expect(combineInserts([q('insert into a values ($1)', [1])])).toEqual({
      sql: 'insert into a values ($1)',
      parameters: [1],
    });
    expect(combineInserts([q('insert into a values ($1, $2)', [1, 2]), q('insert into b values ($1)', [3])])).toEqual({
      sql: 'with w0 as (insert into a values ($1, $2)), w1 as (insert into b values ($3)) select 1',
      parameters: [1, 2, 3],
    });
  });
});

/**
 * Against the real Postgres: held inserts reach the tables at the next other query or the flush, in
 * order; a read sees what was held before it; a failing insert fails the unit (nothing of it stays);
 * each table once per combined statement, so two upserts of one row both apply.
 */
describe.runIf(!!process.env.TEST_DATABASE_URL)('write coalescer on Postgres', () => {
  let tdb!: TestDb;
  useTestDb('postgres', ['signal_receipts', 'watchlist_history', 'connectors'], (t) => (tdb = t));

  const receipt = (k: string) => ({
    org_id: ORG,
    dedup_key: k,
    connector_id: 'c1',
    incident_id: null,
    received_at: at,
  });
  const history = (status: string) => ({
    org_id: ORG,
    service: 'api',
    environment: 'prod',
    status,
    risk_score: 1,
    reason: 'signal',
    actor: 'x',
    at,
  });

  it('holds inserts until a read, which then sees them; saves the round trips', async () => {
    const seen = await tdb.db.transaction().execute(async (real) => {
      const w = coalesceWrites(real);
      await w.trx
        .insertInto('signal_receipts')
        .values([receipt('a'), receipt('b')])
        .execute();
      await w.trx.insertInto('watchlist_history').values(history('BREACHED')).execute();
      // From the real transaction: nothing yet.
      const before = await real.selectFrom('signal_receipts').select('dedup_key').execute();
      const after = await w.trx.selectFrom('signal_receipts').select('dedup_key').orderBy('dedup_key').execute();
      await w.trx.insertInto('signal_receipts').values(receipt('c')).execute();
      await w.flush();
      return { before: before.length, after: after.map((r) => r.dedup_key), saved: w.saved() };
    });
    expect(seen).toEqual({ before: 0, after: ['a', 'b'], saved: 1 });
    const rows = await tdb.db.selectFrom('signal_receipts').select('dedup_key').orderBy('dedup_key').execute();
    expect(rows.map((r) => r.dedup_key)).toEqual(['a', 'b', 'c']);
    expect(await tdb.db.selectFrom('watchlist_history').select('status').execute()).toEqual([{ status: 'BREACHED' }]);
  });

  it('a second insert into a table already held goes in a statement of its own (both upserts apply)', async () => {
    await tdb.db.transaction().execute(async (real) => {
      const w = coalesceWrites(real);
      const up = (k: string, incident: string) =>
        w.trx
          .insertInto('signal_receipts')
          .values({ ...receipt(k), incident_id: incident })
          .onConflict((oc) => oc.columns(['org_id', 'dedup_key']).doUpdateSet({ incident_id: incident }))
          .execute();
      await up('k', 'first');
      await up('k', 'second');
      await w.flush();
      expect(w.saved()).toBe(0);
    });
    const r = await tdb.db.selectFrom('signal_receipts').select('incident_id').executeTakeFirstOrThrow();
    expect(r.incident_id).toBe('second');
  });

  it('a large insert (hundreds of rows of a request) is not held: it goes out at once', async () => {
    await tdb.db.transaction().execute(async (real) => {
      const w = coalesceWrites(real);
      await w.trx.insertInto('watchlist_history').values(history('AT_RISK')).execute();
      const many = Array.from({ length: 21 }, (_, i) => receipt(`r${i}`));
      await w.trx.insertInto('signal_receipts').values(many).execute();
      // Sent, with the held row before it: visible from the real transaction already.
      expect((await real.selectFrom('signal_receipts').selectAll().execute()).length).toBe(21);
      expect((await real.selectFrom('watchlist_history').selectAll().execute()).length).toBe(1);
      expect(w.saved()).toBe(0);
    });
  });

  it('an insert that fails fails the unit at the flush, and nothing held before it stays', async () => {
    await tdb.db.insertInto('signal_receipts').values(receipt('taken')).execute();
    const run = tdb.db.transaction().execute(async (real) => {
      const w = coalesceWrites(real);
      await w.trx.insertInto('watchlist_history').values(history('AT_RISK')).execute();
      await w.trx.insertInto('signal_receipts').values(receipt('taken')).execute(); // primary key taken
      await w.flush();
    });
    await expect(run).rejects.toMatchObject({ code: '23505' });
    expect(await tdb.db.selectFrom('watchlist_history').selectAll().execute()).toEqual([]);
    expect((await tdb.db.selectFrom('signal_receipts').selectAll().execute()).length).toBe(1);
  });

  it('inserts outside its tables, with returning, and every other statement run at once, in order', async () => {
    await tdb.db.transaction().execute(async (real) => {
      const w = coalesceWrites(real);
      await w.trx.insertInto('signal_receipts').values(receipt('held')).execute();
      const c = await w.trx
        .insertInto('connectors')
        .values({
          id: 'c9',
          org_id: ORG,
          kind: 'generic',
          name: 'n',
          token_hash: 'h',
          created_by: 'U1',
          created_at: at,
          revoked_at: null,
          request_key: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(c.id).toBe('c9');
      // The held receipt went first: a raw statement sees it.
      const n = await sql<{ n: string }>`select count(*) as n from signal_receipts`.execute(w.trx);
      expect(Number(n.rows[0].n)).toBe(1);
    });
  });
});
