import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createGrowthAnalyzer, INGEST_TABLES } from '../../src/adapters/db/growth-analyze';
import { type TestDb, useTestDb } from '../helpers/test-db';

const at = '2026-12-07T10:00:00.000Z';
const receipts = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    org_id: 'T0001',
    dedup_key: `k${from + i}`,
    connector_id: 'c1',
    incident_id: null,
    received_at: at,
  }));

/** Statistics Postgres keeps for a table: reltuples is -1 until the first ANALYZE (or VACUUM) of it. */
async function reltuples(tdb: TestDb, table: string): Promise<number> {
  const r = await sql<{ n: number }>`select reltuples::float8 as n from pg_class
    where oid = to_regclass(current_schema() || '.' || ${table})`.execute(tdb.db);
  return Number(r.rows[0].n);
}

describe.runIf(!!process.env.TEST_DATABASE_URL)('ANALYZE after growth (Postgres)', () => {
  let tdb!: TestDb;
  useTestDb('postgres', ['signal_receipts'], (t) => (tdb = t));

  it('analyses ingestion tables once the alerts stored cross each fourfold threshold, not before', async () => {
    const errors: unknown[] = [];
    const growth = createGrowthAnalyzer(tdb.db, { first: 100, onError: (e) => errors.push(e) });
    await tdb.db.insertInto('signal_receipts').values(receipts(0, 99)).execute();
    growth.noteRows(99);
    await growth.idle();
    expect(await reltuples(tdb, 'signal_receipts')).toBe(-1); // below the first threshold: never analysed

    await tdb.db.insertInto('signal_receipts').values(receipts(99, 1)).execute();
    growth.noteRows(1);
    await growth.idle();
    expect(await reltuples(tdb, 'signal_receipts')).toBe(100);
    for (const t of INGEST_TABLES) expect(await reltuples(tdb, t), t).toBeGreaterThanOrEqual(0);

    // The next one comes at 4 × 100 alerts stored.
    await tdb.db.insertInto('signal_receipts').values(receipts(100, 200)).execute();
    growth.noteRows(200);
    await growth.idle();
    expect(await reltuples(tdb, 'signal_receipts')).toBe(100);
    await tdb.db.insertInto('signal_receipts').values(receipts(300, 100)).execute();
    growth.noteRows(100);
    await growth.idle();
    expect(await reltuples(tdb, 'signal_receipts')).toBe(400);
    expect(errors).toEqual([]);
  });

  it('a failing ANALYZE is reported, not thrown, and the next threshold tries again', async () => {
    const errors: unknown[] = [];
    const other = createGrowthAnalyzer(tdb.db, { first: 1, onError: (e) => errors.push(e) });
    await sql`alter table signal_receipts rename to signal_receipts_away`.execute(tdb.db);
    try {
      other.noteRows(1);
      await other.idle();
    } finally {
      await sql`alter table signal_receipts_away rename to signal_receipts`.execute(tdb.db);
    }
    expect(String(errors[0])).toMatch(/signal_receipts/);
    other.noteRows(3);
    await other.idle();
    expect(errors).toHaveLength(1);
  });
});

describe('ANALYZE after growth (SQLite)', () => {
  let tdb!: TestDb;
  useTestDb('sqlite', [], (t) => (tdb = t));

  it('does nothing: SQLite plans these lookups by their primary keys without statistics', async () => {
    const growth = createGrowthAnalyzer(tdb.db, { first: 1 });
    growth.noteRows(10);
    await growth.idle();
    const stat = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'sqlite_stat1'`.execute(
      tdb.db,
    );
    expect(Number(stat.rows[0].n)).toBe(0);
  });
});
