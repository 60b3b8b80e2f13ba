import { describe, expect, it } from 'vitest';
import { effect } from '../../src/app/effects';
import { enqueueEffectReturningId } from '../../src/adapters/db/outbox.repo';
import { createOutboxWorker } from '../../src/adapters/outbox/outbox.worker';
import { type TestDb, useTestDb } from '../helpers/test-db';

/**
 * Delivery is background work. On SQLite every statement resolves at once, so a pass started by a
 * commit used to run interleaved with the committing request's own continuation (its ack), delaying it.
 * The worker now resumes only in the event loop's check phase: a request's remaining statements and its
 * answer go first. SQLite only: there every await of a statement is a microtask, which is what this checks.
 */
const ORG = 'T0001';

describe('outbox: a pass waits for the request that woke it (sqlite)', () => {
  let tdb!: TestDb;
  useTestDb('sqlite', ['outbox'], (t) => (tdb = t));

  it('claims nothing while the waking request is still running its statements, then delivers', async () => {
    const digest = effect('digest.post', {
      channel: 'C1',
      timezone: 'UTC',
      silentWhenEmpty: false,
      slot: 's',
      reason: 'manual',
    });
    const id = await enqueueEffectReturningId(tdb.db, ORG, null, digest, new Date());
    const delivered: number[] = [];
    const w = createOutboxWorker({ db: tdb.db, deliver: async (row) => (delivered.push(row.id), { type: 'done' }) });
    const statusOf = async () =>
      (await tdb.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    w.start(); // wakes the worker, as a commit's kick does
    try {
      // The rest of the request: thirty statements and their microtasks, none of them leaving the loop's turn.
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) seen.push(await statusOf());
      expect(new Set(seen)).toEqual(new Set(['pending']));
      expect(delivered).toEqual([]);
      // Once the request's turn is over, the pass runs.
      for (let i = 0; i < 200 && delivered.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(delivered).toEqual([id]);
      for (let i = 0; i < 200 && (await statusOf()) !== 'done'; i++) await new Promise((r) => setTimeout(r, 5));
      expect(await statusOf()).toBe('done');
    } finally {
      await w.stop();
    }
  });
});
