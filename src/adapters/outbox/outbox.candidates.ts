import { sql } from 'kysely';
import type { DeliveryOutcome } from '../../app/effects';
import type { DB } from '../db/schema';

/** An outbox row as selected for delivery (payload still JSON text). */
export type Candidate = {
  id: number;
  org_id: string;
  incident_id: string | null;
  kind: string;
  payload: string;
  attempts: number;
  dedupe_key: string | null;
};

const COLS = ['id', 'org_id', 'incident_id', 'kind', 'payload', 'attempts', 'dedupe_key'] as const;
const dueOrExpired = (at: string) =>
  sql<boolean>`((status = 'pending' and next_attempt_at <= ${at}) or (status = 'in_flight' and locked_until < ${at}))`;

/** One row, if it is due (pending) or its lease ran out. */
export async function candidateById(db: DB, id: number, at: string): Promise<Candidate | undefined> {
  const r = await db
    .selectFrom('outbox')
    .select([...COLS])
    .where('id', '=', id)
    .where(dueOrExpired(at))
    .executeTakeFirst();
  return r ? { ...r, id: Number(r.id) } : undefined;
}

/** How a settled row went (done or failed), read back; undefined while it is still in hand or gone. */
export async function settledOutcome(db: DB, id: number): Promise<DeliveryOutcome | undefined> {
  const r = await db
    .selectFrom('outbox')
    .select(['status', 'result', 'last_error'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (r?.status === 'done') return r.result ? { type: 'done', result: JSON.parse(r.result) } : { type: 'done' };
  if (r?.status === 'failed') return { type: 'failed', error: r.last_error ?? 'failed' };
  return undefined;
}

/**
 * Rows that may go out now: per incident, the first row still in hand that holds the queue (posts,
 * channel opening…), plus rows of the queue-free kinds (summary/roll-up edits) and incident-less rows
 * that nothing earlier holds back. Each query walks a partial index of rows in hand, so the cost does
 * not grow with history. `free` lists the queue-free kinds (from the effect table).
 */
export function createCandidateQuery(db: DB, free: readonly string[], batch: number) {
  const FREE = [...free];
  const freeOrUnowned = () =>
    sql<boolean>`(incident_id is null${FREE.length ? sql` or kind in (${sql.join(FREE)})` : sql``})`;
  return async function candidates(at: string): Promise<Candidate[]> {
    const heads = await db
      .selectFrom('outbox')
      .select(['incident_id', (eb) => eb.fn.min('id').as('id')])
      .where(sql<boolean>`status in ('pending', 'in_flight')`)
      .where('incident_id', 'is not', null)
      .where((eb) => (FREE.length ? eb('kind', 'not in', FREE) : sql<boolean>`true`))
      .groupBy('incident_id')
      .execute();
    const firstHold = new Map(heads.map((h) => [h.incident_id as string, Number(h.id)]));
    const headIds = heads.map((h) => Number(h.id));
    const blocking = headIds.length
      ? await db
          .selectFrom('outbox')
          .select([...COLS])
          .where('id', 'in', headIds)
          .where(dueOrExpired(at))
          .execute()
      : [];
    const due = await db
      .selectFrom('outbox')
      .select([...COLS])
      .where(sql<boolean>`status = 'pending'`)
      .where(freeOrUnowned())
      .where('next_attempt_at', '<=', at)
      .orderBy('id')
      .limit(batch)
      .execute();
    const expired = await db
      .selectFrom('outbox')
      .select([...COLS])
      .where(sql<boolean>`status = 'in_flight'`)
      .where('locked_until', '<', at)
      .where(freeOrUnowned())
      .execute();
    const out = [...blocking];
    for (const r of [...due, ...expired]) {
      if (r.incident_id) {
        const hold = firstHold.get(r.incident_id);
        if (hold !== undefined && hold < Number(r.id)) continue;
        // Two renders of one summary must not race (two processes): an earlier one in flight waits us out.
        const racing = await db
          .selectFrom('outbox')
          .select('id')
          .where(sql<boolean>`status in ('pending', 'in_flight')`) // the partial index's condition, literally
          .where('incident_id', '=', r.incident_id)
          .where('id', '<', r.id)
          .where('kind', '=', r.kind)
          .where('status', '=', 'in_flight')
          .executeTakeFirst();
        if (racing) continue;
      }
      out.push(r);
    }
    return out
      .map((r) => ({ ...r, id: Number(r.id) }))
      .sort((a, b) => a.id - b.id)
      .slice(0, batch);
  };
}
