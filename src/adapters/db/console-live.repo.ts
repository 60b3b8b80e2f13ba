import { type Viewer, visibleRawSql } from './privacy.repo';
import type { DB } from './schema';

/** Audits of someone looking change nothing anyone sees: a live view must not refresh (and re-audit) for them. */
const AUDIT_ONLY = 'PRIVATE_INCIDENT_VIEWED';

/**
 * The latest event (its log position) the viewer could see change: of one incident, or of any incident of the
 * org they may see. The console's streams poll it so a change committed by another replica shows up too.
 */
export async function latestVisibleChange(db: DB, orgId: string, viewer: Viewer, incidentId?: string): Promise<string> {
  let q = db
    .selectFrom('incident_events as e')
    .innerJoin('incidents as i', (j) => j.onRef('i.id', '=', 'e.incident_id').onRef('i.org_id', '=', 'e.org_id'))
    .select(['e.position', 'e.incident_id'])
    .where('e.org_id', '=', orgId)
    .where('e.type', '<>', AUDIT_ONLY)
    .where(visibleRawSql(viewer, 'i'));
  if (incidentId) q = q.where('e.incident_id', '=', incidentId);
  const row = await q.orderBy('e.position', 'desc').limit(1).executeTakeFirst();
  return row ? `${row.incident_id}:${row.position}` : '';
}
