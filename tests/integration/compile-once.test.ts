import { describe, expect, it } from 'vitest';
import { insertOnce, compiledShapes } from '../../src/adapters/db/compile-once';
import type { Trx } from '../../src/adapters/db/schema';
import { coalesceWrites } from '../../src/adapters/db/write-coalescer';
import { dialects, type TestDb, useTestDb } from '../helpers/test-db';

const ORG = 'T0001';
const at = '2026-12-07T10:00:00.000Z';
const receipt = (k: string, connector = 'c1', incident: string | null = null) => ({
  org_id: ORG,
  dedup_key: k,
  connector_id: connector,
  incident_id: incident,
  received_at: at,
});
type Receipt = Omit<ReturnType<typeof receipt>, 'incident_id'> & { incident_id?: string | null };

/**
 * Inserts built with Kysely once per shape and then run with new parameters only, against the real
 * databases: the rows stored are the ones Kysely would store, and anything the shortcut cannot bind
 * faithfully (undefined, a parameter of the statement's own) goes through Kysely every time.
 */
describe.each(dialects())('insertOnce (%s)', (dialect) => {
  let tdb!: TestDb;
  useTestDb(dialect, ['signal_receipts'], (t) => (tdb = t));

  const stored = () =>
    tdb.db
      .selectFrom('signal_receipts')
      .select(['dedup_key', 'connector_id', 'incident_id'])
      .orderBy('dedup_key')
      .execute();

  /** A build that counts how often Kysely was asked to build the statement. */
  const counting = (trx: Trx, conflict?: 'update-from-excluded' | 'update-with-parameter') => {
    let builds = 0;
    const build = (rows: readonly Receipt[]) => {
      builds++;
      const q = trx.insertInto('signal_receipts').values(rows as Receipt[]);
      if (conflict === 'update-from-excluded')
        return q.onConflict((oc) =>
          oc.columns(['org_id', 'dedup_key']).doUpdateSet((eb) => ({ connector_id: eb.ref('excluded.connector_id') })),
        );
      if (conflict === 'update-with-parameter')
        return q.onConflict((oc) => oc.columns(['org_id', 'dedup_key']).doUpdateSet({ connector_id: 'fixed' }));
      return q;
    };
    return { build, builds: () => builds };
  };

  it('builds a shape once, then binds new rows to it; every row is stored as given', async () => {
    await tdb.db.transaction().execute(async (trx) => {
      const name = `plain-${dialect}`;
      const c = counting(trx);
      expect(await insertOnce(trx, name, [receipt('a'), receipt('b', 'c2')], c.build)).toBe(2n);
      expect(await insertOnce(trx, name, [receipt('c', 'c3', 'inc-1'), receipt('d')], c.build)).toBe(2n);
      expect(c.builds()).toBe(1);
      expect(compiledShapes.cached(name)).toBe(1);
      // Another row count is another shape.
      await insertOnce(trx, name, [receipt('e'), receipt('f'), receipt('g')], c.build);
      expect(c.builds()).toBe(2);
    });
    expect(await stored()).toEqual([
      { dedup_key: 'a', connector_id: 'c1', incident_id: null },
      { dedup_key: 'b', connector_id: 'c2', incident_id: null },
      { dedup_key: 'c', connector_id: 'c3', incident_id: 'inc-1' },
      { dedup_key: 'd', connector_id: 'c1', incident_id: null },
      { dedup_key: 'e', connector_id: 'c1', incident_id: null },
      { dedup_key: 'f', connector_id: 'c1', incident_id: null },
      { dedup_key: 'g', connector_id: 'c1', incident_id: null },
    ]);
  });

  it('keys in another order are another shape, and each row is stored as given', async () => {
    const name = `order-${dialect}`;
    await tdb.db.transaction().execute(async (trx) => {
      const c = counting(trx);
      await insertOnce(trx, name, [receipt('a')], c.build);
      const { received_at, incident_id, connector_id, dedup_key, org_id } = receipt('b', 'c9');
      await insertOnce(trx, name, [{ received_at, incident_id, connector_id, dedup_key, org_id }], c.build);
      await insertOnce(trx, name, [{ received_at, incident_id, connector_id: 'c8', dedup_key: 'c', org_id }], c.build);
      expect(c.builds()).toBe(2);
    });
    expect((await stored()).map((r) => r.connector_id)).toEqual(['c1', 'c9', 'c8']);
  });

  it('an upsert from excluded is cached and updates the existing row', async () => {
    const name = `upsert-${dialect}`;
    await tdb.db.transaction().execute(async (trx) => {
      const c = counting(trx, 'update-from-excluded');
      await insertOnce(trx, name, [receipt('a', 'first')], c.build);
      await insertOnce(trx, name, [receipt('a', 'second')], c.build);
      expect(c.builds()).toBe(1);
    });
    expect(await stored()).toEqual([{ dedup_key: 'a', connector_id: 'second', incident_id: null }]);
  });

  it('undefined values and statements with parameters of their own always go through Kysely', async () => {
    const undef = `undefined-${dialect}`;
    const param = `parameter-${dialect}`;
    await tdb.db.transaction().execute(async (trx) => {
      const u = counting(trx);
      // incident_id undefined: Kysely leaves the column to its default (null).
      await insertOnce(trx, undef, [{ ...receipt('a'), incident_id: undefined }], u.build);
      await insertOnce(trx, undef, [{ ...receipt('b'), incident_id: undefined }], u.build);
      expect(u.builds()).toBe(2);
      const p = counting(trx, 'update-with-parameter');
      await insertOnce(trx, param, [receipt('c')], p.build);
      await insertOnce(trx, param, [receipt('c', 'other')], p.build);
      expect(p.builds()).toBe(2);
      expect(compiledShapes.cached(undef) + compiledShapes.cached(param)).toBe(0);
    });
    expect(await stored()).toEqual([
      { dedup_key: 'a', connector_id: 'c1', incident_id: null },
      { dedup_key: 'b', connector_id: 'c1', incident_id: null },
      { dedup_key: 'c', connector_id: 'fixed', incident_id: null },
    ]);
  });

  it('a failing cached insert fails its transaction and stores nothing of it', async () => {
    const name = `fail-${dialect}`;
    const c = {
      build: (trx: Trx) => (rows: readonly Receipt[]) => trx.insertInto('signal_receipts').values(rows as Receipt[]),
    };
    await tdb.db.transaction().execute((trx) => insertOnce(trx, name, [receipt('a')], c.build(trx)));
    await expect(
      tdb.db.transaction().execute(async (trx) => {
        await insertOnce(trx, name, [receipt('b')], c.build(trx));
        await insertOnce(trx, name, [receipt('a')], c.build(trx)); // the primary key again
      }),
    ).rejects.toThrow();
    expect((await stored()).map((r) => r.dedup_key)).toEqual(['a']);
  });

  if (dialect === 'postgres')
    it('cached inserts are still held and combined by the write coalescer', async () => {
      const name = 'coalesced';
      await tdb.db.transaction().execute(async (real) => {
        const w = coalesceWrites(real);
        const c = counting(w.trx);
        await insertOnce(w.trx, name, [receipt('a')], c.build);
        await insertOnce(w.trx, name, [receipt('b')], c.build); // same table: sends the first, holds this one
        await w.trx
          .insertInto('watchlist_history')
          .values({
            org_id: ORG,
            service: 's',
            environment: 'e',
            status: 'x',
            risk_score: 1,
            reason: 'r',
            actor: 'a',
            at,
          })
          .execute();
        await w.flush();
        expect(c.builds()).toBe(1);
        expect(w.saved()).toBe(1);
        await real.deleteFrom('watchlist_history').execute();
      });
      expect((await stored()).map((r) => r.dedup_key)).toEqual(['a', 'b']);
    });
});
