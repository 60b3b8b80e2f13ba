import { eventsPage, grantsOf, listIncidentsPage, type IncidentFilter } from '../adapters/db/api-incidents.repo';
import { timelineOf } from '../adapters/db/incident.queries';
import { canCompleteFollowUp, canSeeIncident, canView, requirePermission } from '../incidents/incident.permissions';
import type {
  Actor,
  IncidentRole,
  IncidentState,
  IncidentStatus,
  Severity,
} from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import type { AppDeps } from './deps';
import {
  addFollowUp,
  addNote,
  assignRole,
  changeSeverity,
  changeStatus,
  completeFollowUp,
  reopenFollowUp,
  declareIncident,
  postUpdate,
} from './incident-commands.service';
import { isPrivateRow, recordPrivateView, type ViewSurface } from './privacy.service';
import { sloViolationsOf } from './slo-violations.service';

/**
 * The API's use cases, on the same incident unit of work and domain commands as the Slack listeners,
 * so the effect planner updates the channel and pinned summary exactly as for a slash command.
 * Every read and write is scoped by the caller's org: another org's id is simply not found.
 */
type Deps = Pick<AppDeps, 'db' | 'incidents' | 'config'>;

export interface ApiCaller {
  orgId: string;
  actor: Actor;
  /** Namespaced Idempotency-Key (per token), passed to the event log so a replay writes nothing. */
  idempotencyKey?: string;
  /** Where a private incident's audited view happened (the web console passes `console`); default `api`. */
  surface?: ViewSurface;
}

const notFound = () => new DomainError('not_found', 'No such incident in this organisation.');

/** A private incident is not found for a token that may not see it (non-admin): exactly as if it did not exist. */
async function existing(deps: Deps, caller: ApiCaller, incidentId: string): Promise<IncidentState> {
  const state = await deps.incidents.load(caller.orgId, incidentId);
  if (!state.exists || state.orgId !== caller.orgId) throw notFound();
  if (!canSeeIncident(caller.actor, state).allowed) throw notFound();
  return state;
}

/** Reads of a private incident through the API are audited (PRIVATE_INCIDENT_VIEWED, surface `api`). */
const audited = (deps: Deps, caller: ApiCaller, state: IncidentState) =>
  state.visibility === 'private'
    ? recordPrivateView(deps, { orgId: caller.orgId, incidentId: state.id, actor: caller.actor, surface: caller.surface ?? 'api' })
    : Promise.resolve();

/** The shared use cases' input for this caller and incident. */
const on = (caller: ApiCaller, incidentId: string, idempotencyKey = caller.idempotencyKey) => ({
  orgId: caller.orgId,
  actor: caller.actor,
  idempotencyKey,
  incidentId,
});

export interface DeclareInput {
  title: string;
  severity: Severity;
  service?: string;
  environment?: string;
  description?: string;
  /** Slack user id: made commander (and invited to the channel) right after the declaration. */
  commander?: string;
  /** 'private': a private channel, members only (README "Private incidents"). */
  visibility?: 'public' | 'private';
}

export async function apiDeclare(deps: Deps, caller: ApiCaller, input: DeclareInput): Promise<IncidentState> {
  const res = await declareIncident(deps, { ...input, orgId: caller.orgId, actor: caller.actor, idempotencyKey: caller.idempotencyKey });
  if (!input.commander || res.state.roles.commander === input.commander) return res.state;
  const key = caller.idempotencyKey ? `${caller.idempotencyKey}:commander` : undefined;
  return (await assignRole(deps, { ...on(caller, res.state.id, key), role: 'commander', userId: input.commander })).state;
}

export async function apiGetIncident(deps: Deps, caller: ApiCaller, incidentId: string) {
  requirePermission(canView(caller.actor));
  await audited(deps, caller, await existing(deps, caller, incidentId));
  const timeline = await timelineOf(deps.db, caller.orgId, incidentId);
  const sloViolations = await sloViolationsOf(deps, caller.orgId, incidentId);
  return { state: await deps.incidents.load(caller.orgId, incidentId), timeline, sloViolations };
}

export async function apiListIncidents(deps: Deps, caller: ApiCaller, filter: Omit<IncidentFilter, 'orgId'>) {
  requirePermission(canView(caller.actor));
  const page = await listIncidentsPage(deps.db, { ...filter, orgId: caller.orgId, viewer: caller.actor });
  for (const row of page.rows.filter(isPrivateRow)) {
    await recordPrivateView(deps, { orgId: caller.orgId, incidentId: row.id, actor: caller.actor, surface: caller.surface ?? 'api' });
  }
  return page;
}

export async function apiIncidentEvents(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  afterSeq: number,
  limit: number,
) {
  requirePermission(canView(caller.actor));
  await audited(deps, caller, await existing(deps, caller, incidentId));
  return eventsPage(deps.db, caller.orgId, incidentId, afterSeq, limit);
}

export async function apiChangeStatus(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  status: IncidentStatus,
  message?: string,
) {
  await existing(deps, caller, incidentId);
  return (await changeStatus(deps, { ...on(caller, incidentId), status, message })).state;
}

export async function apiChangeSeverity(deps: Deps, caller: ApiCaller, incidentId: string, severity: Severity) {
  await existing(deps, caller, incidentId);
  return (await changeSeverity(deps, { ...on(caller, incidentId), severity })).state;
}

export async function apiAssignRole(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  role: IncidentRole,
  userId: string,
) {
  await existing(deps, caller, incidentId);
  return (await assignRole(deps, { ...on(caller, incidentId), role, userId })).state;
}

export async function apiAddNote(deps: Deps, caller: ApiCaller, incidentId: string, text: string) {
  await existing(deps, caller, incidentId);
  return (await addNote(deps, { ...on(caller, incidentId), text })).state;
}

export async function apiPostUpdate(deps: Deps, caller: ApiCaller, incidentId: string, text: string) {
  await existing(deps, caller, incidentId);
  return (await postUpdate(deps, { ...on(caller, incidentId), text })).state;
}

export async function apiAddAction(deps: Deps, caller: ApiCaller, incidentId: string, text: string, owner?: string) {
  const before = await existing(deps, caller, incidentId);
  const { state } = await addFollowUp(deps, { ...on(caller, incidentId), text, owner });
  // The follow-up this request added (a replayed key: the one the first request added).
  const known = new Set(before.actions.map((a) => a.id));
  const action = state.actions.find((a) => !known.has(a.id)) ?? state.actions[state.actions.length - 1];
  return { state, action };
}

export async function apiSetActionDone(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  actionId: string,
  done: boolean,
) {
  const before = await existing(deps, caller, incidentId);
  requirePermission(canCompleteFollowUp(caller.actor));
  if (!before.actions.some((a) => a.id === actionId))
    throw new DomainError('not_found', 'That follow-up action does not exist on this incident.');
  const { state } = done
    ? await completeFollowUp(deps, { ...on(caller, incidentId), actionId })
    : await reopenFollowUp(deps, { ...on(caller, incidentId), actionId });
  return { state, action: state.actions.find((a) => a.id === actionId)! };
}

/** People with a role grant, plus the configured admins (ADMIN_USER_IDS apply in every org). */
export async function apiMembers(deps: Deps, caller: ApiCaller) {
  requirePermission(canView(caller.actor));
  const grants = await grantsOf(deps.db, caller.orgId);
  const admins = deps.config.adminUserIds.filter((id) => !grants.some((g) => g.user_id === id));
  return [
    ...grants.map((g) => ({
      userId: g.user_id,
      role: deps.config.adminUserIds.includes(g.user_id) ? 'admin' : g.role,
      grantedBy: g.granted_by,
      grantedAt: g.granted_at,
    })),
    ...admins.map((id) => ({
      userId: id,
      role: 'admin',
      grantedBy: 'ADMIN_USER_IDS',
      grantedAt: null as string | null,
    })),
  ].sort((a, b) => a.userId.localeCompare(b.userId));
}
