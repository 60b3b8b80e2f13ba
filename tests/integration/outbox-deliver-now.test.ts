import { describe, expect, it } from 'vitest';
import { effect } from '../../src/app/effects';
import { enqueueEffectReturningId, enqueueEffects } from '../../src/adapters/db/outbox.repo';
import { createOutboxWorker, type OutboxRow } from '../../src/adapters/outbox/outbox.worker';
import { dialects, type TestDb, useTestDb } from '../helpers/test-db';

/**
 * The worker's "claim this row and deliver it now" entry point (the CLI and the sandbox use it), and the
 * queue rule read from the effect table: kinds marked as not holding the queue overtake a stuck row.
 */
const ORG = 'T0001';

describe.each(dialects())('outbox: deliver one row now; queue-free kinds from the effect table (%s)', (dialect) => {
  let tdb!: TestDb;
  useTestDb(dialect, ['outbox'], (t) => (tdb = t));

  const rowOf = (id: number) => tdb.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const digest = (slot: string) =>
    effect('digest.post', { channel: 'C1', timezone: 'UTC', silentWhenEmpty: false, slot, reason: 'manual' });

  it('delivers exactly the row asked for, settles it, and will not deliver it twice', async () => {
    const other = await enqueueEffectReturningId(tdb.db, ORG, null, digest('other'), new Date());
    const mine = await enqueueEffectReturningId(tdb.db, ORG, null, digest('mine'), new Date());
    const got: OutboxRow[] = [];
    const w = createOutboxWorker({
      db: tdb.db,
      deliver: async (row) => (got.push(row), { type: 'done', result: { ts: '1.2' } }),
    });
    expect(await w.deliverNow(mine)).toEqual({ type: 'done', result: { ts: '1.2' } });
    expect(got.map((r) => [r.id, r.kind, r.payload.slot, r.attempts])).toEqual([[mine, 'digest.post', 'mine', 1]]);
    expect(await rowOf(mine)).toMatchObject({ status: 'done', attempts: 1, result: JSON.stringify({ ts: '1.2' }) });
    expect(await rowOf(other)).toMatchObject({ status: 'pending', attempts: 0 });
    // Asked again, it answers with how the row settled and delivers nothing more.
    expect(await w.deliverNow(mine)).toEqual({ type: 'done', result: { ts: '1.2' } });
    expect(got).toHaveLength(1);
  });

  it('waits for the delivery its own poller started instead of answering "not mine"', async () => {
    const mine = await enqueueEffectReturningId(tdb.db, ORG, null, digest('raced'), new Date());
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const got: number[] = [];
    const w = createOutboxWorker({
      db: tdb.db,
      deliver: async (row) => (got.push(row.id), await gate, { type: 'done', result: { ts: '9.9' } }),
    });
    // The poller's pass claims the row first and is still talking to Slack when the button asks for it.
    const pass = w.runOnce();
    while ((await rowOf(mine)).status !== 'in_flight') await new Promise((r) => setTimeout(r, 5));
    let answered = false;
    const asked = w.deliverNow(mine).then((o) => ((answered = true), o));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    open();
    expect(await asked).toEqual({ type: 'done', result: { ts: '9.9' } });
    expect(await pass).toBe(1);
    expect(got).toEqual([mine]);
  });

  it('a failed row answers with its error, without another attempt', async () => {
    const bad = await enqueueEffectReturningId(tdb.db, ORG, null, digest('bad'), new Date());
    let calls = 0;
    const w = createOutboxWorker({
      db: tdb.db,
      deliver: async () => (calls++, { type: 'failed', error: 'channel_not_found' }),
    });
    expect(await w.deliverNow(bad)).toEqual({ type: 'failed', error: 'channel_not_found' });
    expect(await w.deliverNow(bad)).toEqual({ type: 'failed', error: 'channel_not_found' });
    expect(calls).toBe(1);
  });

  it('leaves a row in another worker’s hands alone, and a transient failure pending for the running bot', async () => {
    const held = await enqueueEffectReturningId(tdb.db, ORG, null, digest('held'), new Date());
    await tdb.db
      .updateTable('outbox')
      .set({
        status: 'in_flight',
        locked_by: 'bot',
        locked_until: new Date(Date.now() + 60_000).toISOString(),
        attempts: 1,
      })
      .where('id', '=', held)
      .execute();
    const flaky = await enqueueEffectReturningId(tdb.db, ORG, null, digest('flaky'), new Date());
    const w = createOutboxWorker({
      db: tdb.db,
      backoffBaseMs: 1000,
      deliver: async () => ({ type: 'retry', error: 'internal_error' }),
    });
    expect(await w.deliverNow(held)).toBeUndefined();
    expect(await rowOf(held)).toMatchObject({ status: 'in_flight', locked_by: 'bot' });
    const t0 = Date.now();
    expect(await w.deliverNow(flaky)).toEqual({ type: 'retry', error: 'internal_error' });
    const after = await rowOf(flaky);
    expect(after).toMatchObject({ status: 'pending', attempts: 1, last_error: 'internal_error' });
    expect(Date.parse(after.next_attempt_at) - t0).toBeGreaterThanOrEqual(900);
  });

  it('a stuck summary edit does not hold back the posts after it, as the effect table says', async () => {
    const t = new Date();
    const enqueueBoth = async () => {
      await enqueueEffects(
        tdb.db,
        ORG,
        'inc-1',
        [effect('incident.sync_summary', { incidentId: 'inc-1' }, { dedupeKey: 'summary:inc-1' })],
        t,
      );
      await enqueueEffects(tdb.db, ORG, 'inc-1', [effect('slack.post', { incidentId: 'inc-1', text: 'after' })], t);
    };
    // The summary edit keeps failing; it renders the current state whenever it runs, so nothing waits for it.
    const failSummary = (got: string[]) => async (row: OutboxRow) => (
      got.push(row.kind),
      row.kind === 'incident.sync_summary' ? { type: 'retry' as const, error: 'x' } : { type: 'done' as const }
    );
    await enqueueBoth();
    const got: string[] = [];
    await createOutboxWorker({ db: tdb.db, backoffBaseMs: 60_000, deliver: failSummary(got) }).drain();
    expect(got.sort()).toEqual(['incident.sync_summary', 'slack.post']);
    // With no kind free of the queue, the post waits behind the summary edit like behind any other row.
    await tdb.db.deleteFrom('outbox').execute();
    await enqueueBoth();
    const strict: string[] = [];
    await createOutboxWorker({
      db: tdb.db,
      backoffBaseMs: 60_000,
      queueFreeKinds: [],
      deliver: failSummary(strict),
    }).drain();
    expect(strict).toEqual(['incident.sync_summary']);
  });
});
