import { sql } from 'kysely';
import { dialectOf } from './create-db';
import { loadEvents } from './event-store';
import { type Viewer, visibleToSql } from './privacy.repo';
import type { DB, IncidentRow } from './schema';
import { toFts5Query, toWebsearchQuery } from './search.repo';

export interface IncidentFilter {
  orgId: string;
  status?: string[];
  severity?: string[];
  service?: string;
  environment?: string;
  /** ISO; declared at or after. */
  since?: string;
  /** ISO; declared before. */
  until?: string;
  /** Full-text words (the search index of title, timeline, actions, postmortem). */
  q?: string;
  /** Keyset: only incidents numbered below this one. */
  beforeNumber?: number;
  limit: number;
  /** Another order than newest first (the console's sortable columns); pages by `offset` then. */
  sort?: { by: 'number' | 'severity' | 'status' | 'updated_at' | 'created_at'; dir: 'asc' | 'desc' };
  offset?: number;
  /** Who lists: private incidents only for their members and admins. Left out, public incidents only. */
  viewer?: Viewer | 'public';
}

/**
 * Newest first by number (unique per org and increasing with declaration), so pages are stable while
 * incidents are added or change. Reads one more row than asked to know whether there is a next page.
 */
export async function listIncidentsPage(db: DB, f: IncidentFilter): Promise<{ rows: IncidentRow[]; more: boolean }> {
  let q = db.selectFrom('incidents').selectAll().where('org_id', '=', f.orgId).where(visibleToSql(f.viewer ?? 'public'));
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.severity?.length) q = q.where('severity', 'in', f.severity);
  if (f.service) q = q.where('service', '=', f.service);
  if (f.environment) q = q.where('environment', '=', f.environment);
  if (f.since) q = q.where('created_at', '>=', f.since);
  if (f.until) q = q.where('created_at', '<', f.until);
  if (f.beforeNumber !== undefined) q = q.where('number', '<', f.beforeNumber);
  if (f.q !== undefined) {
    const pg = dialectOf(db) === 'postgres';
    const text = pg ? toWebsearchQuery(f.q) : toFts5Query(f.q);
    if (!text) return { rows: [], more: false };
    q = pg
      ? q.where(
          sql<boolean>`id in (select s.incident_id from incident_search s where s.org_id = ${f.orgId} and s.document @@ websearch_to_tsquery('english', ${text}))`,
        )
      : q.where(
          sql<boolean>`id in (select incident_id from incident_search_fts where incident_search_fts match ${text} and org_id = ${f.orgId})`,
        );
  }
  const ordered = f.sort ? q.orderBy(f.sort.by, f.sort.dir).orderBy('number', 'desc').offset(f.offset ?? 0) : q.orderBy('number', 'desc');
  const rows = await ordered.limit(f.limit + 1).execute();
  return { rows: rows.slice(0, f.limit), more: rows.length > f.limit };
}

/** One page of an incident's event log, oldest first, after `afterSeq`. */
export async function eventsPage(db: DB, orgId: string, incidentId: string, afterSeq: number, limit: number) {
  const events = await loadEvents(db, orgId, incidentId, afterSeq, limit + 1);
  return { events: events.slice(0, limit), more: events.length > limit };
}

/** People with a role grant in the org (configured admins are added by the caller). */
export async function grantsOf(db: DB, orgId: string) {
  return db
    .selectFrom('access_grants')
    .select(['user_id', 'role', 'granted_by', 'granted_at'])
    .where('org_id', '=', orgId)
    .orderBy('user_id')
    .execute();
}
