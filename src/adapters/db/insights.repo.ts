import type { IncidentEvent } from '../../incidents/incident.types';
import { rowToEvent } from './event-store';
import type { DB } from './schema';

/** Alert traffic: thousands of rows on a storm incident, and no insight reads them. */
const SKIPPED_TYPES = ['SIGNAL_ATTACHED', 'SIGNAL_RESOLVED'];
/** Keeps `in (…)` lists well under SQLite's and Postgres' bound-parameter limits. */
const CHUNK = 500;

/**
 * The logs of the org's incidents declared after `since` (ISO), grouped per incident in seq order:
 * one indexed read of the ids, then the events in chunks.
 */
export async function incidentLogsSince(db: DB, orgId: string, since: string): Promise<IncidentEvent[][]> {
  const ids = (
    await db
      .selectFrom('incidents')
      .select('id')
      .where('org_id', '=', orgId)
      .where('created_at', '>', since)
      .orderBy('created_at')
      .execute()
  ).map((r) => r.id);
  const byIncident = new Map<string, IncidentEvent[]>(ids.map((id) => [id, []]));
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('incident_events')
      .select(['org_id', 'incident_id', 'seq', 'type', 'payload', 'actor', 'occurred_at'])
      .where('org_id', '=', orgId)
      .where('incident_id', 'in', ids.slice(i, i + CHUNK))
      .where('type', 'not in', SKIPPED_TYPES)
      .orderBy('incident_id')
      .orderBy('seq')
      .execute();
    for (const r of rows) byIncident.get(r.incident_id)?.push(rowToEvent(r));
  }
  return [...byIncident.values()];
}

/** Workspaces with a live OAuth installation (multi-workspace mode). */
export async function installedOrgs(db: DB): Promise<string[]> {
  const rows = await db.selectFrom('slack_installations').select('org_id').where('revoked_at', 'is', null).execute();
  return rows.map((r) => r.org_id);
}
