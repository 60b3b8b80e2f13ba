import { type Kysely, sql } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Delivered rows pile up; the worker only ever looks at rows still in hand. Partial indexes over
 * those keep each pass O(rows in hand), not O(history): the old correlated NOT EXISTS took 125 ms per
 * pass with 20,000 delivered rows on one incident, and ~4 ms with a 2,000-row backlog.
 * The WHERE clauses must stay textually identical to the worker's queries (SQLite matches them so).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`create index outbox_active_incident on outbox (incident_id, id, kind) where status in ('pending', 'in_flight')`.execute(db);
  await sql`create index outbox_pending_free on outbox (id) where status = 'pending' and (incident_id is null or kind in ('incident.sync_summary', 'incident.signal_rollup'))`.execute(db);
  await sql`create index outbox_inflight_lease on outbox (locked_until) where status = 'in_flight'`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  for (const name of ['outbox_active_incident', 'outbox_pending_free', 'outbox_inflight_lease']) await sql.raw(`drop index if exists ${name}`).execute(db);
}
