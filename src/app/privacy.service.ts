import { randomUUID } from 'node:crypto';
import { findIncidentById, findIncidentByNumber } from '../adapters/db/incident.queries';
import { membersOf, setConnectorPrivateOnly, visibleToSql } from '../adapters/db/privacy.repo';
import type { DB, IncidentRow } from '../adapters/db/schema';
import { canAdminister, canSeeIncident, requirePermission } from '../incidents/incident.permissions';
import type { Actor, IncidentCommand, IncidentState } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import type { IncidentService } from './incident.service';

/**
 * Private incidents: who may see one (members and admins), as a row predicate and as a SQL filter, the audit
 * of views, and the use cases (request access, decide, make private, admin join, invite). Every surface that
 * lists or shows incidents filters with `visibleTo` / `visibleToSql`; see README "Private incidents".
 */
export interface PrivacyViewDeps {
  db: DB;
  incidents: Pick<IncidentService, 'execute'>;
  now?: () => Date;
}
export interface PrivacyDeps extends PrivacyViewDeps {
  incidents: Pick<IncidentService, 'execute' | 'load'>;
  now: () => Date;
}

/** Where a private incident was looked at (the audit event names it). */
export type ViewSurface = 'api' | 'console' | 'slack' | 'cli' | (string & {});

export type { Viewer } from '../adapters/db/privacy.repo';
import type { Viewer } from '../adapters/db/privacy.repo';

/** The incident columns visibility is decided on (an `incidents` row, or a view of one). */
export interface VisibilityRow {
  visibility?: string | null;
  created_by: string;
  commander_id: string | null;
  comms_id: string | null;
  scribe_id: string | null;
  /** From `incident_members`, when the caller read them; role holders and the declarer are members anyway. */
  members?: readonly string[];
}

/** `incidents.visibility` of a row read with selectAll (the column is not in `IncidentRow`'s static type). */
export const isPrivateRow = (row: object | undefined): boolean =>
  (row as { visibility?: string } | undefined)?.visibility === 'private';

/**
 * A row predicate for in-memory filtering: `rows.filter(visibleTo(viewer))`. Without `members` on the row, only
 * the declarer and role holders count as members; prefer `visibleToSql` (which reads `incident_members`).
 */
export function visibleTo(viewer: Viewer): (row: VisibilityRow) => boolean {
  return (row) =>
    canSeeIncident(viewer, {
      visibility: row.visibility === 'private' ? 'private' : 'public',
      createdBy: row.created_by,
      roles: {
        commander: row.commander_id ?? undefined,
        comms: row.comms_id ?? undefined,
        scribe: row.scribe_id ?? undefined,
      },
      members: row.members ? [...row.members] : undefined,
    }).allowed;
}

/** The SQL filter (public, admin, or a member): `db.selectFrom('incidents').where(visibleToSql(viewer))`. */
export { visibleToSql };

/** Whether this viewer may see this incident row (members read from `incident_members`). */
export async function canViewerSee(db: DB, viewer: Viewer, row: IncidentRow & VisibilityRow): Promise<boolean> {
  if (!isPrivateRow(row) || viewer.role === 'admin') return true;
  return visibleTo(viewer)({ ...row, members: await membersOf(db, row.org_id, row.id) });
}

/**
 * An incident the viewer may see, else `not_found` — exactly what an incident that does not exist answers (the API
 * and other surfaces must not reveal that a private incident exists). Views of private incidents are audited.
 */
export async function findVisibleIncident(
  deps: PrivacyViewDeps,
  input: { orgId: string; incidentId: string; actor: Actor; surface?: ViewSurface },
): Promise<IncidentRow> {
  const row = await findIncidentById(deps.db, input.orgId, input.incidentId);
  if (!row || !(await canViewerSee(deps.db, input.actor, row))) {
    throw new DomainError('not_found', 'That incident does not exist.');
  }
  if (input.surface && isPrivateRow(row)) await recordPrivateView(deps, { ...input, surface: input.surface });
  return row;
}

/**
 * Audit a view of a private incident (API, console…) as a PRIVATE_INCIDENT_VIEWED event on it. A no-op for
 * public incidents and for incidents that do not exist. Callers check `canSeeIncident` first.
 */
export async function recordPrivateView(
  deps: PrivacyViewDeps,
  input: { orgId: string; incidentId: string; actor: Actor; surface: ViewSurface },
): Promise<void> {
  try {
    await deps.incidents.execute({
      orgId: input.orgId,
      incidentId: input.incidentId,
      actor: input.actor,
      command: {
        type: 'RecordPrivateView',
        surface: input.surface,
        viewer: input.actor.id,
        at: (deps.now ?? (() => new Date()))().toISOString(),
      },
    });
  } catch (e) {
    if (e instanceof DomainError && e.code === 'not_found') return;
    throw e;
  }
}

/** `INC-42`, `inc-42`, `#42`, `42` → 42. */
export function parseIncidentRef(ref: string): number {
  const m = /^(?:inc-|#)?(\d{1,9})$/i.exec(ref.trim());
  if (!m) throw new DomainError('invalid_input', 'Name the incident by its number, e.g. `INC-42`.');
  return Number(m[1]);
}

/**
 * The incident a person names by number to ask for access or join: private ones are found (the person has their
 * number or link); the reply never shows a non-member more than the number.
 */
async function incidentByNumber(deps: PrivacyDeps, orgId: string, number: number): Promise<IncidentRow> {
  const row = await findIncidentByNumber(deps.db, orgId, number);
  if (!row) throw new DomainError('not_found', `There is no INC-${number} in this workspace.`);
  return row;
}

interface Who {
  orgId: string;
  actor: Actor;
  idempotencyKey?: string;
}
async function exec(deps: PrivacyDeps, who: Who, incidentId: string, command: IncidentCommand): Promise<IncidentState> {
  const res = await deps.incidents.execute({
    orgId: who.orgId,
    incidentId,
    actor: who.actor,
    idempotencyKey: who.idempotencyKey,
    command,
  });
  return res.state;
}

/** Ask to join a private incident; the commander (or the admins) get Approve / Deny. One per 15 minutes. */
export async function requestAccess(deps: PrivacyDeps, input: Who & { ref: string }) {
  const row = await incidentByNumber(deps, input.orgId, parseIncidentRef(input.ref));
  const state = await exec(deps, input, row.id, {
    type: 'RequestAccess',
    requestId: randomUUID(),
    at: deps.now().toISOString(),
  });
  return { number: state.number, hasCommander: !!state.roles.commander };
}

export async function decideAccess(
  deps: PrivacyDeps,
  input: Who & { incidentId: string; requestId: string; decision: 'approved' | 'denied' },
) {
  const state = await exec(deps, input, input.incidentId, {
    type: 'DecideAccess',
    requestId: input.requestId,
    decision: input.decision,
  });
  const req = state.accessRequests?.find((r) => r.requestId === input.requestId);
  return { number: state.number, userId: req?.userId ?? '', decision: input.decision };
}

/** One way: current channel members (and the incident's people) stay members; see README for the channel move. */
export const makePrivate = (deps: PrivacyDeps, input: Who & { incidentId: string; members: string[] }) =>
  exec(deps, input, input.incidentId, { type: 'MakePrivate', members: input.members });

/** Always refused for a private incident, with the reason (privacy.decider STAYS_PRIVATE_REASON). */
export const makePublic = (deps: PrivacyDeps, input: Who & { incidentId: string }) =>
  exec(deps, input, input.incidentId, { type: 'MakePublic' });

export async function joinAsAdmin(deps: PrivacyDeps, input: Who & { ref: string }) {
  const row = await incidentByNumber(deps, input.orgId, parseIncidentRef(input.ref));
  return exec(deps, input, row.id, { type: 'JoinAsAdmin' });
}

export const inviteMember = (deps: PrivacyDeps, input: Who & { incidentId: string; userId: string }) =>
  exec(deps, input, input.incidentId, { type: 'AddMember', userId: input.userId });

/** An admin marks an alert connector private-only: the incidents it opens are private. */
export async function setConnectorPrivate(deps: { db: DB }, input: { orgId: string; actor: Actor; id: string; on: boolean }) {
  requirePermission(canAdminister(input.actor, 'Managing connectors'));
  if (!(await setConnectorPrivateOnly(deps.db, input.orgId, input.id, input.on))) {
    throw new DomainError('not_found', `No active connector “${input.id}” in this workspace.`);
  }
}
