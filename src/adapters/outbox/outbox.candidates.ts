import { sql } from 'kysely';
import type { DeliveryOutcome } from '../../app/effects';
import { dialectOf } from '../db/create-db';
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

/** The partial index outbox_pending_free (migrations/20261122_0700) names these kinds literally. */
const INDEXED_FREE_KINDS = ['incident.sync_summary', 'incident.signal_rollup'];
/**
 * Incidents with rows in hand up to which heads are found by seeking (0.005 ms for one incident with 1,000
 * queued rows, against 0.3–0.4 ms grouping them); with 5,000 incidents of one row each, grouping is cheaper
 * (3.8 ms against 7.0 ms of seeks).
 */
const HEAD_SCAN = 200;

/**
 * Rows that may go out now: per incident, the first row still in hand that holds the queue (posts,
 * channel opening…), plus rows of the queue-free kinds (summary/roll-up edits) and incident-less rows
 * that nothing earlier holds back. Each query walks a partial index of rows in hand, so the cost does
 * not grow with history, nor with one incident's backlog: the heads are found one incident at a time (a
 * skip scan) unless many incidents have rows in hand. `free` lists the queue-free kinds (the effect table).
 */
export function createCandidateQuery(db: DB, free: readonly string[], batch: number) {
  const FREE = [...free];
  // Literals, as in the partial index outbox_pending_free: SQLite only uses an index whose condition
  // the query repeats, and kinds come from our effect table, never from input.
  const freeList = sql.join(FREE.map((k) => sql.lit(k)));
  const freeOrUnowned = () => sql<boolean>`(incident_id is null${FREE.length ? sql` or kind in (${freeList})` : sql``})`;
  const notFree = (alias: string) => (FREE.length ? sql` and ${sql.ref(`${alias}.kind`)} not in (${freeList})` : sql``);
  // SQLite's planner, from its statistics, preferred outbox_due (status, next_attempt_at) for both queries
  // and then scanned and sorted every row in hand. Postgres runs the same SQL without hints.
  const sqlite = dialectOf(db) === 'sqlite';
  const sameKinds = FREE.length === INDEXED_FREE_KINDS.length && FREE.every((k) => INDEXED_FREE_KINDS.includes(k));
  const byIncident = sql.raw(sqlite ? ' indexed by outbox_active_incident' : '');
  const byFree = sql.raw(sqlite && sameKinds ? ' indexed by outbox_pending_free' : '');
  const ACTIVE = (alias: string) => sql`${sql.ref(`${alias}.status`)} in ('pending', 'in_flight')`;
  return async function candidates(at: string): Promise<Candidate[]> {
    // Each incident in hand and its first queue-holding row: a skip scan, one index seek per incident, for
    // up to HEAD_SCAN incidents; beyond that one grouping pass over the index is cheaper than the seeks.
    let { rows: heads } = await sql<{ incident_id: string; id: number | null }>`
      with recursive ids(incident_id) as (
        select min(o.incident_id) from outbox o${byIncident} where ${ACTIVE('o')} and o.incident_id is not null
        union all
        select (select min(o.incident_id) from outbox o${byIncident}
                where ${ACTIVE('o')} and o.incident_id > ids.incident_id)
        from ids where ids.incident_id is not null
      )
      select ids.incident_id,
        (select min(o.id) from outbox o${byIncident}
          where ${ACTIVE('o')} and o.incident_id = ids.incident_id${notFree('o')}) as id
      from ids where ids.incident_id is not null limit ${HEAD_SCAN + 1}`.execute(db);
    if (heads.length > HEAD_SCAN) {
      ({ rows: heads } = await sql<{ incident_id: string; id: number }>`
        select o.incident_id, min(o.id) as id from outbox o${byIncident}
        where ${ACTIVE('o')} and o.incident_id is not null${notFree('o')}
        group by o.incident_id`.execute(db));
    }
    const holding = heads.filter((h) => h.id !== null);
    const firstHold = new Map(holding.map((h) => [h.incident_id, Number(h.id)]));
    const headIds = holding.map((h) => Number(h.id));
    const blocking = headIds.length
      ? await db
          .selectFrom('outbox')
          .select([...COLS])
          .where('id', 'in', headIds)
          .where(dueOrExpired(at))
          .execute()
      : [];
    const { rows: due } = await sql<Candidate>`
      select ${sql.join(COLS.map((c) => sql.ref(c)))} from outbox${byFree}
      where status = 'pending' and ${freeOrUnowned()} and next_attempt_at <= ${at}
      order by id limit ${batch}`.execute(db);
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
