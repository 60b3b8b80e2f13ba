import type { IncidentEvent, IncidentEventData } from '../../incidents/incident.types';
import type { DB, Trx } from './schema';
import { queryOnce } from './compile-once';

type Row = { org_id: string; incident_id: string; seq: number; type: string; payload: string; actor: string; occurred_at: string };

export function rowToEvent(r: Row): IncidentEvent {
  // The parsed payload is this call's own object: complete it in place (a rebuild reads millions).
  const e = JSON.parse(r.payload) as Partial<IncidentEventData> & Record<string, unknown>;
  return Object.assign(e, { type: r.type, incidentId: r.incident_id, orgId: r.org_id, seq: Number(r.seq), actor: r.actor, occurredAt: r.occurred_at }) as unknown as IncidentEvent;
}

export function eventToRow(e: IncidentEvent, idempotencyKey: string | null = null) {
  const { incidentId, orgId, seq, actor, occurredAt, type, ...data } = e;
  return { org_id: orgId, incident_id: incidentId, seq, type, payload: JSON.stringify(data), actor, occurred_at: occurredAt, idempotency_key: idempotencyKey };
}

/** Events of one incident after `afterSeq`, in order. Always scoped by org: ids from payloads are never trusted alone. */
export async function loadEvents(
  db: DB | Trx,
  orgId: string,
  incidentId: string,
  afterSeq = 0,
  limit?: number,
): Promise<IncidentEvent[]> {
  const params = limit === undefined ? [orgId, incidentId, afterSeq] : [orgId, incidentId, afterSeq, limit];
  const rows = await queryOnce(db, 'events-after', params, () => {
    const q = db
      .selectFrom('incident_events')
      .select(['org_id', 'incident_id', 'seq', 'type', 'payload', 'actor', 'occurred_at'])
      .where('org_id', '=', orgId)
      .where('incident_id', '=', incidentId)
      .where('seq', '>', afterSeq)
      .orderBy('seq');
    return limit === undefined ? q : q.limit(limit);
  });
  return rows.map(rowToEvent);
}

/** Append; a unique violation on (incident_id, seq) means someone else appended first: the caller retries. */
export async function appendEvents(trx: Trx, events: IncidentEvent[], idempotencyKey?: string): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('incident_events')
    .values(events.map((e, i) => eventToRow(e, i === 0 ? (idempotencyKey ?? null) : null)))
    .execute();
}

export async function findByIdempotencyKey(db: DB | Trx, orgId: string, key: string) {
  return db
    .selectFrom('incident_events')
    .select(['incident_id', 'seq'])
    .where('org_id', '=', orgId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}
