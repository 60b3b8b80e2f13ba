import { randomUUID } from 'node:crypto';
import { eventsPage, grantsOf, listIncidentsPage, type IncidentFilter } from '../adapters/db/api-incidents.repo';
import { timelineOf } from '../adapters/db/incident.queries';
import {
  canAddFollowUp,
  canAddNote,
  canAssign,
  canChangeSeverity,
  canChangeStatus,
  canCompleteFollowUp,
  canDeclare,
  canPostUpdate,
  canView,
  requirePermission,
} from '../incidents/incident.permissions';
import type {
  Actor,
  IncidentCommand,
  IncidentRole,
  IncidentState,
  IncidentStatus,
  Severity,
} from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { declareCommand } from './declare.command';
import type { AppDeps } from './deps';

/**
 * The API's use cases, on the same incident unit of work and domain commands as the Slack listeners,
 * so the effect planner updates the channel and pinned summary exactly as for a slash command.
 * Every read and write is scoped by the caller's org: another org's id is simply not found.
 */
type Deps = Pick<AppDeps, 'db' | 'incidents' | 'config' | 'kickOutbox'>;

export interface ApiCaller {
  orgId: string;
  actor: Actor;
  /** Namespaced Idempotency-Key (per token), passed to the event log so a replay writes nothing. */
  idempotencyKey?: string;
}

const notFound = () => new DomainError('not_found', 'No such incident in this organisation.');

async function existing(deps: Deps, orgId: string, incidentId: string): Promise<IncidentState> {
  const state = await deps.incidents.load(orgId, incidentId);
  if (!state.exists || state.orgId !== orgId) throw notFound();
  return state;
}

async function run(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  command: IncidentCommand,
  key = caller.idempotencyKey,
): Promise<IncidentState> {
  const res = await deps.incidents.execute({
    orgId: caller.orgId,
    incidentId,
    actor: caller.actor,
    idempotencyKey: key,
    command,
  });
  deps.kickOutbox();
  return res.state;
}

export interface DeclareInput {
  title: string;
  severity: Severity;
  service?: string;
  environment?: string;
  description?: string;
  /** Slack user id: made commander (and invited to the channel) right after the declaration. */
  commander?: string;
}

export async function apiDeclare(deps: Deps, caller: ApiCaller, input: DeclareInput): Promise<IncidentState> {
  requirePermission(canDeclare(caller.actor));
  const res = await deps.incidents.execute({
    orgId: caller.orgId,
    incidentId: randomUUID(),
    actor: caller.actor,
    idempotencyKey: caller.idempotencyKey,
    command: declareCommand(deps.config.channelPrefix, { orgId: caller.orgId, ...input }),
  });
  let state = res.state;
  if (input.commander && state.roles.commander !== input.commander) {
    const key = caller.idempotencyKey ? `${caller.idempotencyKey}:commander` : undefined;
    state = await run(
      deps,
      caller,
      res.incidentId,
      { type: 'AssignRole', role: 'commander', userId: input.commander },
      key,
    );
  }
  deps.kickOutbox();
  return state;
}

export async function apiGetIncident(deps: Deps, caller: ApiCaller, incidentId: string) {
  requirePermission(canView(caller.actor));
  const state = await existing(deps, caller.orgId, incidentId);
  const timeline = await timelineOf(deps.db, caller.orgId, incidentId);
  return { state, timeline };
}

export async function apiListIncidents(deps: Deps, caller: ApiCaller, filter: Omit<IncidentFilter, 'orgId'>) {
  requirePermission(canView(caller.actor));
  return listIncidentsPage(deps.db, { ...filter, orgId: caller.orgId });
}

export async function apiIncidentEvents(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  afterSeq: number,
  limit: number,
) {
  requirePermission(canView(caller.actor));
  await existing(deps, caller.orgId, incidentId);
  return eventsPage(deps.db, caller.orgId, incidentId, afterSeq, limit);
}

export async function apiChangeStatus(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  status: IncidentStatus,
  message?: string,
) {
  const state = await existing(deps, caller.orgId, incidentId);
  requirePermission(canChangeStatus(caller.actor, state, status));
  return run(deps, caller, incidentId, { type: 'ChangeStatus', status, message });
}

export async function apiChangeSeverity(deps: Deps, caller: ApiCaller, incidentId: string, severity: Severity) {
  const state = await existing(deps, caller.orgId, incidentId);
  requirePermission(canChangeSeverity(caller.actor, state));
  return run(deps, caller, incidentId, { type: 'ChangeSeverity', severity });
}

export async function apiAssignRole(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  role: IncidentRole,
  userId: string,
) {
  await existing(deps, caller.orgId, incidentId);
  requirePermission(canAssign(caller.actor));
  return run(deps, caller, incidentId, { type: 'AssignRole', role, userId });
}

export async function apiAddNote(deps: Deps, caller: ApiCaller, incidentId: string, text: string) {
  await existing(deps, caller.orgId, incidentId);
  requirePermission(canAddNote(caller.actor));
  return run(deps, caller, incidentId, { type: 'AddNote', text });
}

export async function apiPostUpdate(deps: Deps, caller: ApiCaller, incidentId: string, text: string) {
  await existing(deps, caller.orgId, incidentId);
  requirePermission(canPostUpdate(caller.actor));
  return run(deps, caller, incidentId, { type: 'PostUpdate', text });
}

export async function apiAddAction(deps: Deps, caller: ApiCaller, incidentId: string, text: string, owner?: string) {
  await existing(deps, caller.orgId, incidentId);
  requirePermission(canAddFollowUp(caller.actor));
  const actionId = randomUUID();
  const state = await run(deps, caller, incidentId, { type: 'AddAction', actionId, text, owner });
  // A replayed key returns the follow-up the first request added.
  const action = state.actions.find((a) => a.id === actionId) ?? state.actions[state.actions.length - 1];
  return { state, action };
}

export async function apiSetActionDone(
  deps: Deps,
  caller: ApiCaller,
  incidentId: string,
  actionId: string,
  done: boolean,
) {
  const before = await existing(deps, caller.orgId, incidentId);
  requirePermission(canCompleteFollowUp(caller.actor));
  if (!before.actions.some((a) => a.id === actionId))
    throw new DomainError('not_found', 'That follow-up action does not exist on this incident.');
  // The domain has no "reopen follow-up" command yet; refusing is better than pretending.
  if (!done)
    throw new DomainError(
      'invalid_input',
      'Marking a follow-up as not done is not supported yet; add a new follow-up instead.',
    );
  const state = await run(deps, caller, incidentId, { type: 'CompleteAction', actionId });
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
