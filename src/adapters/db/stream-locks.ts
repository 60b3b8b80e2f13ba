import { sql } from 'kysely';
import type { IncidentEvent } from '../../incidents/incident.types';
import { rowToEvent } from './event-store';
import type { Trx } from './schema';

/**
 * Postgres: transaction-scoped advisory locks serialise the writers of one stream (an incident, or an org
 * for numbering and ingestion) instead of letting them collide; the unique (incident_id, seq) constraint
 * still guards correctness.
 */
export async function lockStream(trx: Trx, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

/**
 * Several streams' locks in one round trip, taken in the order given (callers sort, so two units that lock
 * overlapping sets wait for each other instead of deadlocking).
 */
export async function lockStreams(trx: Trx, keys: readonly string[]): Promise<void> {
  if (keys.length === 1) return lockStream(trx, keys[0]);
  await sql`select count(pg_advisory_xact_lock(hashtext(u.k))) as n
    from (select k from unnest(${[...keys]}::text[]) with ordinality as a(k, i) order by i) u`.execute(trx);
}

/**
 * The lock, if it is free, and the incident's events after `afterSeq`, in one round trip; undefined when
 * another transaction holds the lock (the caller then waits for it and reads again). The read's snapshot is
 * the statement's, taken just before the lock: a writer that committed in between makes this unit's append
 * collide on (incident_id, seq), and the unit is run again, as after any lost race.
 */
export async function tryLockAndLoad(
  trx: Trx,
  key: string,
  orgId: string,
  incidentId: string,
  afterSeq: number,
): Promise<IncidentEvent[] | undefined> {
  const { rows } = await sql<Parameters<typeof rowToEvent>[0] & { got: boolean }>`select l.got, e.org_id,
      e.incident_id, e.seq, e.type, e.payload, e.actor, e.occurred_at
    from (select pg_try_advisory_xact_lock(hashtext(${key})) as got) l
    left join lateral (select * from incident_events where org_id = ${orgId} and incident_id = ${incidentId}
      and seq > ${afterSeq} order by seq) e on l.got
    order by e.seq`.execute(trx);
  if (!rows[0]?.got) return undefined;
  return rows[0].seq === null ? [] : rows.map(rowToEvent);
}

/**
 * Postgres: the events of several incidents of one org, each after its own sequence number, in one round
 * trip (one index seek per incident). Read after their locks are held, in a statement of its own: a read in
 * the locking statement would use a snapshot taken before the wait.
 */
export async function loadEventsOfMany(
  trx: Trx,
  orgId: string,
  after: ReadonlyArray<readonly [incidentId: string, seq: number]>,
): Promise<Map<string, IncidentEvent[]>> {
  const ids = after.map(([id]) => id);
  const seqs = after.map(([, seq]) => seq);
  const { rows } = await sql<Parameters<typeof rowToEvent>[0]>`select e.org_id, e.incident_id, e.seq, e.type,
      e.payload, e.actor, e.occurred_at
    from unnest(${ids}::text[], ${seqs}::int[]) as c(id, after)
    join incident_events e on e.org_id = ${orgId} and e.incident_id = c.id and e.seq > c.after
    order by e.incident_id, e.seq`.execute(trx);
  const out = new Map<string, IncidentEvent[]>(ids.map((id) => [id, []]));
  for (const r of rows) out.get(r.incident_id)!.push(rowToEvent(r));
  return out;
}
