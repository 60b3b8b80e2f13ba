import { describe, expect, it } from 'vitest';
import { enqueueEffects } from '../../src/adapters/db/outbox.repo';
import { createOutboxWorker, type DeliveryOutcome, type OutboxRow } from '../../src/adapters/outbox/outbox.worker';
import { dialects, type TestDb, useTestDb } from '../helpers/test-db';

/**
 * The outbox worker on a real database: two workers share rows without delivering one twice, an
 * incident's rows go out in order, a dead worker's lease is taken over (and the handler is told it is a
 * retry), a live worker's lease is renewed, and stop() finishes what is in hand but claims nothing new.
 */

const ORG = 'T0001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(dialects())('outbox worker (%s)', (dialect) => {
  let tdb!: TestDb;
  useTestDb(dialect, ['outbox'], (t) => (tdb = t));

  // The worker is kind-agnostic: these rows are stand-ins, not typed effects (hence `as never`).
  const enqueue = (incident: string | null, n: number, kind = 'test.effect', extra: Record<string, unknown> = {}) =>
    enqueueEffects(tdb.db as never, ORG, incident, Array.from({ length: n }, (_, i) => ({ kind, payload: { i, incident, ...extra } })) as never, new Date());
  const rows = () => tdb.db.selectFrom('outbox').selectAll().orderBy('id').execute();

  it('two workers on one database deliver every row exactly once, each incident in order', async () => {
    for (let k = 0; k < 20; k++) await enqueue(`inc-${k}`, 10);
    const seen: Array<{ worker: string; row: OutboxRow }> = [];
    const worker = (name: string) =>
      createOutboxWorker({
        db: tdb.db,
        concurrency: 4,
        deliver: async (row) => {
          seen.push({ worker: name, row });
          await sleep(Math.random() * 3);
          return { type: 'done' };
        },
      });
    const a = worker('a');
    const b = worker('b');
    await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
    const ids = seen.map((s) => s.row.id);
    expect(ids.length).toBe(200);
    expect(new Set(ids).size).toBe(200);
    expect(new Set(seen.map((s) => s.worker))).toEqual(new Set(['a', 'b']));
    for (let k = 0; k < 20; k++) {
      const order = seen.filter((s) => s.row.incident_id === `inc-${k}`).map((s) => s.row.payload.i);
      expect(order, `inc-${k}`).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect((await rows()).every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
  });

  it("takes over a dead worker's expired lease and tells the handler it is a retry", async () => {
    await enqueue('inc-1', 2);
    const [first] = await rows();
    // A worker claimed it and died: in flight, lease run out, never settled.
    await tdb.db.updateTable('outbox').set({ status: 'in_flight', locked_by: 'dead-worker', locked_until: new Date(Date.now() - 1000).toISOString(), attempts: 1 }).where('id', '=', first.id).execute();
    const got: OutboxRow[] = [];
    const w = createOutboxWorker({ db: tdb.db, deliver: async (row) => (got.push(row), { type: 'done' }) });
    await w.drain();
    expect(got.map((r) => [r.payload.i, r.attempts])).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });

  it('a lease held by a live, slow worker is renewed, so nobody else delivers that row', async () => {
    await enqueue('inc-1', 1);
    let calls = 0;
    const slow = createOutboxWorker({ db: tdb.db, leaseMs: 150, deliver: async () => (calls++, await sleep(700), { type: 'done' }) });
    const eager = createOutboxWorker({ db: tdb.db, leaseMs: 150, deliver: async () => (calls++, { type: 'done' }) });
    const running = slow.runOnce();
    const end = Date.now() + 900;
    while (Date.now() < end) {
      await eager.runOnce();
      await sleep(30);
    }
    await running;
    expect(calls).toBe(1);
    expect((await rows())[0]).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('a retried summary edit gives way to a newer pending one with the same dedupe key', async () => {
    await enqueueEffects(tdb.db as never, ORG, 'inc-1', [{ kind: 'incident.sync_summary', payload: { v: 1 }, dedupeKey: 'summary:inc-1' }] as never, new Date());
    const w = createOutboxWorker({
      db: tdb.db,
      deliver: async (row): Promise<DeliveryOutcome> => {
        if (row.payload.v === 1) {
          // While this edit is in flight a newer change asks for another one, then this one fails.
          await enqueueEffects(tdb.db as never, ORG, 'inc-1', [{ kind: 'incident.sync_summary', payload: { v: 2 }, dedupeKey: 'summary:inc-1', notBefore: new Date(Date.now() + 60_000).toISOString() }] as never, new Date());
          return { type: 'retry', error: 'internal_error' };
        }
        return { type: 'done' };
      },
    });
    await w.runOnce();
    const [older, newer] = await rows();
    expect(older).toMatchObject({ status: 'done', result: JSON.stringify({ superseded: true }), last_error: 'internal_error' });
    expect(newer).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('folds a request into the pending row with the same key, and an urgent one pulls a delayed one forward', async () => {
    const later = new Date(Date.now() + 10_000).toISOString();
    const t = new Date();
    await enqueueEffects(tdb.db as never, ORG, 'inc-1', [{ kind: 'incident.sync_summary', payload: {}, dedupeKey: 'summary:inc-1', notBefore: later }] as never, t);
    await enqueueEffects(tdb.db as never, ORG, 'inc-1', [{ kind: 'incident.sync_summary', payload: {}, dedupeKey: 'summary:inc-1', notBefore: later }] as never, t);
    expect((await rows()).map((r) => r.next_attempt_at)).toEqual([later]);
    await enqueueEffects(tdb.db as never, ORG, 'inc-1', [{ kind: 'incident.sync_summary', payload: {}, dedupeKey: 'summary:inc-1' }] as never, t);
    expect((await rows()).map((r) => r.next_attempt_at)).toEqual([t.toISOString()]);
  });

  it('honours Retry-After exactly and backs off otherwise; gives up with the reason after the last attempt', async () => {
    await enqueue('inc-1', 1);
    await enqueue('inc-2', 1);
    const w = createOutboxWorker({ db: tdb.db, backoffBaseMs: 400, deliver: async (row) => (row.incident_id === 'inc-1' ? { type: 'retry', afterMs: 2500, error: 'rate_limited' } : { type: 'retry', error: 'internal_error' }) });
    const t0 = Date.now();
    await w.runOnce();
    const [limited, failing] = await rows();
    const wait = (r: { next_attempt_at: string }) => Date.parse(r.next_attempt_at) - t0;
    expect(wait(limited)).toBeGreaterThanOrEqual(2500);
    expect(wait(failing)).toBeGreaterThanOrEqual(400);
    expect(wait(failing)).toBeLessThan(2500);
    await tdb.db.updateTable('outbox').set({ attempts: 29, next_attempt_at: new Date(0).toISOString() }).execute();
    await w.runOnce();
    expect((await rows()).map((r) => [r.status, r.last_error])).toEqual([
      ['failed', 'gave up after 30 attempts: rate_limited'],
      ['failed', 'gave up after 30 attempts: internal_error'],
    ]);
  });

  it('stop() lets the rows in hand finish and claims no more', async () => {
    for (let k = 0; k < 6; k++) await enqueue(`inc-${k}`, 1);
    let started = 0;
    const w = createOutboxWorker({ db: tdb.db, concurrency: 2, pollMs: 10_000, deliver: async () => (started++, await sleep(200), { type: 'done' }) });
    w.start();
    await sleep(50);
    await w.stop();
    const all = await rows();
    expect(started).toBe(2);
    expect(all.filter((r) => r.status === 'done')).toHaveLength(2);
    expect(all.filter((r) => r.status === 'pending')).toHaveLength(4);
    expect(all.filter((r) => r.status === 'in_flight')).toHaveLength(0);
  });
});
