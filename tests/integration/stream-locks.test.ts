import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DB } from '../../src/adapters/db/schema';
import { loadEventsOfMany, lockStream, lockStreams, tryLockAndLoad } from '../../src/adapters/db/stream-locks';
import { type TestDb, useTestDb } from '../helpers/test-db';

const ORG = 'T0001';
const event = (incidentId: string, seq: number, org = ORG) => ({
  org_id: org,
  incident_id: incidentId,
  seq,
  type: 'NOTE_ADDED',
  payload: JSON.stringify({ text: `note ${seq}` }),
  actor: 'U1',
  occurred_at: `2026-12-07T10:00:0${seq}.000Z`,
});

/** Whether another transaction could take `key` right now (it tries, and lets go at once). */
const freeElsewhere = (db: DB, key: string) =>
  db
    .transaction()
    .execute(
      async (t) =>
        (await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtext(${key})) as got`.execute(t)).rows[0].got,
    );

/** Postgres' advisory locks with the reads that follow them, in as few round trips as they allow. */
describe.runIf(!!process.env.TEST_DATABASE_URL)('stream locks (Postgres)', () => {
  let tdb!: TestDb;
  useTestDb('postgres', ['incident_events'], (t) => (tdb = t));

  it('a free lock is taken and the events after a sequence number read in one statement', async () => {
    await tdb.db
      .insertInto('incident_events')
      .values([event('i1', 1), event('i1', 2), event('i1', 3)])
      .execute();
    await tdb.db.transaction().execute(async (trx) => {
      const events = await tryLockAndLoad(trx, 'i1', ORG, 'i1', 1);
      expect(events?.map((e) => [e.seq, e.type, (e as { text?: string }).text])).toEqual([
        [2, 'NOTE_ADDED', 'note 2'],
        [3, 'NOTE_ADDED', 'note 3'],
      ]);
      expect(await freeElsewhere(tdb.db, 'i1')).toBe(false); // held until this transaction ends
      expect(await tryLockAndLoad(trx, 'i1', 'T-other', 'i1', 0)).toEqual([]); // scoped by org
    });
    expect(await freeElsewhere(tdb.db, 'i1')).toBe(true);
    const none = await tdb.db.transaction().execute((trx) => tryLockAndLoad(trx, 'i9', ORG, 'i9', 0));
    expect(none).toEqual([]);
  });

  it('a held lock gives undefined at once (no wait), so the caller waits and reads again', async () => {
    await tdb.db
      .insertInto('incident_events')
      .values([event('i1', 1)])
      .execute();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = tdb.db.transaction().execute(async (trx) => {
      await lockStream(trx, 'i1');
      locked();
      await held;
    });
    await isLocked;
    const t0 = performance.now();
    const got = await tdb.db.transaction().execute((trx) => tryLockAndLoad(trx, 'i1', ORG, 'i1', 0));
    expect(got).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(5_000);
    release();
    await holder;
  });

  it('several locks in one statement, and several incidents read in one, each after its own sequence number', async () => {
    const rows = [event('a', 1), event('a', 2), event('b', 1), event('b', 2), event('b', 3), event('c', 1, 'T-other')];
    await tdb.db.insertInto('incident_events').values(rows).execute();
    await tdb.db.transaction().execute(async (trx) => {
      await lockStreams(trx, ['a', 'b', 'c']);
      for (const k of ['a', 'b', 'c']) expect(await freeElsewhere(tdb.db, k), k).toBe(false);
      const byId = await loadEventsOfMany(trx, ORG, [
        ['a', 0],
        ['b', 2],
        ['c', 0],
      ]);
      expect([...byId].map(([id, es]) => [id, es.map((e) => e.seq)])).toEqual([
        ['a', [1, 2]],
        ['b', [3]],
        ['c', []], // another org's incident: nothing
      ]);
    });
    for (const k of ['a', 'b', 'c']) expect(await freeElsewhere(tdb.db, k), k).toBe(true);
  });
});
