import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { enqueueEffects } from '../../src/adapters/db/outbox.repo';
import { createCandidateQuery } from '../../src/adapters/outbox/outbox.candidates';
import { QUEUE_FREE_KINDS } from '../../src/app/effects';
import { dialects, type TestDb, useTestDb } from '../helpers/test-db';

/**
 * The worker's candidate query with a backlog: 1,000 posts queued behind one busy incident (Slack slow,
 * or 200 notes a second into one channel). The heads are found one incident at a time, and the due
 * summary edits without walking the posts; what comes out is the same as before the rewrite.
 */
const ORG = 'T0001';

describe.each(dialects())('outbox candidates with a backlog (%s)', (dialect) => {
  let tdb!: TestDb;
  useTestDb(dialect, ['outbox'], (t) => (tdb = t));

  const post = (i: number) => ({ kind: 'slack.post', payload: { i } });
  const now = new Date();
  const at = new Date(now.getTime() + 1).toISOString();

  it('per incident only its first queue-holding row; due free rows and unowned rows too', async () => {
    const busy = Array.from({ length: 1_000 }, (_, i) => post(i));
    await enqueueEffects(tdb.db, ORG, 'inc-busy', busy as never, now);
    await enqueueEffects(tdb.db, ORG, 'inc-quiet', [post(0)] as never, now);
    // A summary edit of the busy incident (queue-free) and an incident-less row.
    await enqueueEffects(tdb.db, ORG, 'inc-busy', [{ kind: 'incident.sync_summary', payload: {}, dedupeKey: 'summary:inc-busy' }] as never, now);
    await enqueueEffects(tdb.db, ORG, null, [{ kind: 'digest.post', payload: {} }] as never, now);
    // Only summary rows of an incident (no queue-holding row): still found by the free lane.
    await enqueueEffects(tdb.db, ORG, 'inc-edits', [{ kind: 'incident.sync_summary', payload: {}, dedupeKey: 'summary:inc-edits' }] as never, now);
    // Delivered history is never looked at.
    await sql`update outbox set status = 'done' where id in (select id from outbox where incident_id = 'inc-busy' order by id limit 10)`.execute(tdb.db);

    const candidates = createCandidateQuery(tdb.db, QUEUE_FREE_KINDS, 50);
    const got = await candidates(at);
    const rows = await tdb.db.selectFrom('outbox').select(['id', 'incident_id', 'kind']).where('status', '=', 'pending').orderBy('id').execute();
    const first = (incident: string, kind = 'slack.post') => Number(rows.find((r) => r.incident_id === incident && r.kind === kind)!.id);

    expect(got.map((r) => [r.incident_id, r.kind])).toEqual([
      ['inc-busy', 'slack.post'],
      ['inc-quiet', 'slack.post'],
      // Not the busy incident's summary edit: queued after that incident's first pending post, it waits for it.
      [null, 'digest.post'],
      ['inc-edits', 'incident.sync_summary'],
    ]);
    expect(got[0].id).toBe(first('inc-busy'));
    expect(got[1].id).toBe(first('inc-quiet'));
  });

  it('with more incidents in hand than it seeks one by one, the grouping pass finds the same heads', async () => {
    for (const n of [3, 250]) {
      await tdb.db.deleteFrom('outbox').execute();
      for (let i = 0; i < n; i++) await enqueueEffects(tdb.db, ORG, `inc-${String(i).padStart(3, '0')}`, [post(0), post(1)] as never, now);
      const got = await createCandidateQuery(tdb.db, QUEUE_FREE_KINDS, 1_000)(at);
      const firsts = await tdb.db.selectFrom('outbox').select((eb) => eb.fn.min('id').as('id')).groupBy('incident_id').execute();
      expect(got.map((r) => r.id).sort((a, b) => a - b)).toEqual(firsts.map((r) => Number(r.id)).sort((a, b) => a - b));
      expect(got).toHaveLength(n);
    }
  });

  it('a row not yet due is not a candidate, and a full batch is cut at the batch size', async () => {
    await enqueueEffects(tdb.db, ORG, null, Array.from({ length: 30 }, () => ({ kind: 'digest.post', payload: {} })) as never, now);
    const later = new Date(now.getTime() + 60_000).toISOString();
    await enqueueEffects(tdb.db, ORG, 'inc-later', [{ kind: 'incident.sync_summary', payload: {}, dedupeKey: 'summary:inc-later', notBefore: later }] as never, now);
    const got = await createCandidateQuery(tdb.db, QUEUE_FREE_KINDS, 20)(at);
    expect(got).toHaveLength(20);
    expect(got.every((r) => r.kind === 'digest.post')).toBe(true);
  });
});
