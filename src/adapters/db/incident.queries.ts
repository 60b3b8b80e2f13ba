import { OPEN_STATUSES } from '../../incidents/incident.types';
import type { Role } from '../../shared/roles';
import { isRole } from '../../shared/roles';
import { type Viewer, visibleToSql } from './privacy.repo';
import type { DB, IncidentRow } from './schema';

export async function findIncidentByChannel(db: DB, orgId: string, channelId: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('org_id', '=', orgId).where('channel_id', '=', channelId).executeTakeFirst();
}

export async function findIncidentById(db: DB, orgId: string, incidentId: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('org_id', '=', orgId).where('id', '=', incidentId).executeTakeFirst();
}

export async function findIncidentByNumber(db: DB, orgId: string, number: number): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('org_id', '=', orgId).where('number', '=', number).executeTakeFirst();
}

export async function nextIncidentNumber(db: Pick<DB, 'selectFrom'>, orgId: string): Promise<number> {
  const row = await db.selectFrom('incidents').select((eb) => eb.fn.max('number').as('max')).where('org_id', '=', orgId).executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

/** `viewer`: private incidents only for their members and admins; left out, public incidents only. */
export async function listIncidents(
  db: DB,
  orgId: string,
  which: 'open' | 'all',
  limit = 20,
  viewer: Viewer | 'public' = 'public',
): Promise<IncidentRow[]> {
  let q = db.selectFrom('incidents').selectAll().where('org_id', '=', orgId).where(visibleToSql(viewer));
  if (which === 'open') q = q.where('status', 'in', OPEN_STATUSES);
  return q.orderBy('created_at', 'desc').orderBy('number', 'desc').limit(limit).execute();
}

export async function timelineOf(db: DB, orgId: string, incidentId: string) {
  return db
    .selectFrom('incident_timeline')
    .select(['seq', 'type', 'actor', 'occurred_at', 'text'])
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .orderBy('seq')
    .execute();
}

export async function actionsOf(db: DB, orgId: string, incidentId: string) {
  return db.selectFrom('incident_actions').selectAll().where('org_id', '=', orgId).where('incident_id', '=', incidentId).orderBy('created_at').execute();
}

export async function openActionsOwnedBy(db: DB, orgId: string, userId: string, viewer: Viewer | 'public' = 'public') {
  return db
    .selectFrom('incident_actions')
    .innerJoin('incidents', 'incidents.id', 'incident_actions.incident_id')
    .select(['incident_actions.action_id', 'incident_actions.text', 'incidents.number', 'incidents.channel_id'])
    .where('incident_actions.org_id', '=', orgId)
    .where('incident_actions.owner', '=', userId)
    .where('incident_actions.done', '=', 0)
    .where(visibleToSql(viewer))
    .execute();
}

/** A member with no grant is a responder; ADMIN_USER_IDS are admins whatever the table says. */
export async function roleOf(db: DB, orgId: string, userId: string, adminIds: readonly string[]): Promise<Role> {
  if (adminIds.includes(userId)) return 'admin';
  const row = await db.selectFrom('access_grants').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  return row && isRole(row.role) ? row.role : 'responder';
}

export async function grantRole(db: DB, g: { orgId: string; userId: string; role: Role; grantedBy: string; now: Date }) {
  const row = { org_id: g.orgId, user_id: g.userId, role: g.role, granted_by: g.grantedBy, granted_at: g.now.toISOString() };
  await db
    .insertInto('access_grants')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role: row.role, granted_by: row.granted_by, granted_at: row.granted_at }))
    .execute();
}
