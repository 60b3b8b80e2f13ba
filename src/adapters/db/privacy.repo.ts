import { connectorsChanged } from './connector.repo';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Actor, IncidentEvent, IncidentState } from '../../incidents/incident.types';
import { incidentMembers, isPrivacyEvent } from '../../incidents/privacy.decider';
import type { Database, DB, Trx } from './schema';
import { insertOnce } from './compile-once';

/** Who looks: their id and workspace role. */
export type Viewer = Pick<Actor, 'id' | 'role'>;

/**
 * The same rule as SQL over `incidents`: public, or the viewer is an admin, or a member (`incident_members` holds
 * declarer, role holders and invited people of private incidents). `'public'` keeps public incidents only: for
 * surfaces whose audience is a channel or a model prompt (related incidents, guidance, digests, announcements).
 * Use: `db.selectFrom('incidents').where(visibleToSql(viewer))`.
 */
export function visibleToSql(viewer: Viewer | 'public') {
  return (eb: ExpressionBuilder<Database, 'incidents'>): Expression<SqlBool> => {
    if (viewer === 'public') return eb('incidents.visibility', '=', 'public');
    if (viewer.role === 'admin') return eb.lit(true);
    return eb.or([
      eb('incidents.visibility', '=', 'public'),
      eb.exists(
        eb
          .selectFrom('incident_members')
          .select('incident_members.user_id')
          .whereRef('incident_members.incident_id', '=', 'incidents.id')
          .where('incident_members.user_id', '=', viewer.id),
      ),
    ]);
  };
}

/** The same rule as raw SQL over an aliased `incidents` (`i`), for raw queries and joins under an alias. */
export function visibleRawSql(viewer: Viewer | 'public', alias: 'i' | 'incidents' = 'i') {
  const a = sql.ref(alias);
  if (viewer !== 'public' && viewer.role === 'admin') return sql<SqlBool>`1 = 1`;
  const member =
    viewer === 'public'
      ? sql`1 = 0`
      : sql`exists (select 1 from incident_members m where m.incident_id = ${a}.id and m.user_id = ${viewer.id})`;
  return sql<SqlBool>`(${a}.visibility = 'public' or ${member})`;
}

/** Events that can change who is a member of a private incident. */
const MEMBERSHIP_EVENTS = new Set(['INCIDENT_CREATED', 'ASSIGNEE_CHANGED', 'MEMBER_ADDED', 'ADMIN_JOINED', 'INCIDENT_MADE_PRIVATE']);

export const incidentMemberRows = (s: IncidentState) =>
  s.visibility === 'private'
    ? incidentMembers(s).map((user_id) => ({ org_id: s.orgId, incident_id: s.id, user_id }))
    : [];

/** Keep `incident_members` current for private incidents whose membership these events changed (same trx). */
export async function projectMembers(
  trx: Trx,
  items: readonly { state: IncidentState; events: readonly IncidentEvent[] }[],
): Promise<void> {
  const rows = items
    .filter((x) => x.events.some((e) => MEMBERSHIP_EVENTS.has(e.type) || isPrivacyEvent(e)))
    .flatMap((x) => incidentMemberRows(x.state));
  for (let i = 0; i < rows.length; i += 500) {
    await insertOnce(trx, 'members', rows.slice(i, i + 500), (r) =>
      trx
        .insertInto('incident_members')
        .values(r as never)
        .onConflict((oc) => oc.columns(['incident_id', 'user_id']).doNothing()),
    );
  }
}

export async function membersOf(db: DB, orgId: string, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incident_members')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .execute();
  return rows.map((r) => r.user_id);
}

export async function visibilityOf(db: DB | Trx, orgId: string, incidentId: string): Promise<'public' | 'private'> {
  const row = await db
    .selectFrom('incidents')
    .select('visibility')
    .where('org_id', '=', orgId)
    .where('id', '=', incidentId)
    .executeTakeFirst();
  return row?.visibility === 'private' ? 'private' : 'public';
}

export async function connectorIsPrivateOnly(db: DB | Trx, connectorId: string): Promise<boolean> {
  const row = await db.selectFrom('connectors').select('private_only').where('id', '=', connectorId).executeTakeFirst();
  return Number(row?.private_only ?? 0) === 1;
}

/** Correlation candidates that are private incidents (a private-only connector never feeds a public one). */
export async function onlyPrivateCandidates<C extends { incidentId: string }>(
  db: DB | Trx,
  orgId: string,
  candidates: C[],
): Promise<C[]> {
  if (candidates.length === 0) return candidates;
  const rows = await db
    .selectFrom('incidents')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', 'in', [...new Set(candidates.map((c) => c.incidentId))])
    .where('visibility', '=', 'private')
    .execute();
  const ids = new Set(rows.map((r) => r.id));
  return candidates.filter((c) => ids.has(c.incidentId));
}

export async function setConnectorPrivateOnly(db: DB, orgId: string, id: string, on: boolean): Promise<boolean> {
  const res = await db
    .updateTable('connectors')
    .set({ private_only: on ? 1 : 0 })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  connectorsChanged();
  return Number(res.numUpdatedRows) > 0;
}

/** Admins of a workspace: ADMIN_USER_IDS plus admin grants (who hear access requests when there is no commander). */
export async function adminsOf(db: DB, orgId: string, configured: readonly string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('access_grants')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('role', '=', 'admin')
    .execute();
  return [...new Set([...configured, ...rows.map((r) => r.user_id)])];
}

/** Announcements already posted for an incident: where and at which ts (the `slack.announce` deliveries). */
export async function postedAnnouncements(db: DB, orgId: string, incidentId: string) {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'result'])
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'slack.announce')
    .where('status', '=', 'done')
    .orderBy('id')
    .execute();
  const out: { channel: string; ts: string }[] = [];
  for (const r of rows) {
    const res = r.result ? (JSON.parse(r.result) as { ts?: string; channel?: string }) : {};
    if (res.ts && res.channel) out.push({ channel: res.channel, ts: res.ts });
  }
  return out;
}
