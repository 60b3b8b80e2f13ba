import type { DB } from '../adapters/db/schema';
import {
  findFollowUpsByIssue,
  getFollowUpSettings,
  listGitHubLogins,
  saveFollowUpSettings,
  saveGitHubLogin,
} from '../adapters/db/followups.repo';
import type { Config } from '../config';
import { type IssueRef, issueKey } from '../incidents/followup.decider';
import { canAddFollowUp, canAdminister, canSeeIncident, requirePermission } from '../incidents/incident.permissions';
import type { Actor, IncidentCommand } from '../incidents/incident.types';
import { DomainError, isDomainError } from '../shared/domain-error';
import { type FollowUpTracker, isTrackerError } from './followups.ports';
import type { IncidentInput } from './incident-commands.service';
import type { IncidentService } from './incident.service';

/**
 * Follow-ups kept in an issue tracker (GitHub Issues), both ways. Exporting records the intent
 * (ACTION_EXPORT_REQUESTED); the outbox creates the issue once (followup-delivery.service.ts). The tracker's
 * webhook comes back through `applyTrackerChange`. Slack, the REST API and the webhook route all call these.
 */
export interface FollowUpDeps {
  db: DB;
  config: Pick<Config, 'followUps'>;
  now: () => Date;
  incidents: Pick<IncidentService, 'execute' | 'load'>;
  tracker: FollowUpTracker;
}

export interface FollowUpSettings {
  repository?: string;
  /** Where the repository comes from: the workspace's own setting, `FOLLOWUPS_REPOSITORY`, or nowhere. */
  source: 'workspace' | 'default' | 'none';
  autoExport: boolean;
  logins: Array<{ userId: string; login: string }>;
}

const NOT_SET_UP =
  'Follow-ups have no GitHub repository yet: an admin runs `/incident followups repo owner/name` (or sets `FOLLOWUPS_REPOSITORY`).';

export async function followUpSettings(deps: Pick<FollowUpDeps, 'db' | 'config'>, orgId: string): Promise<FollowUpSettings> {
  const [own, logins] = await Promise.all([getFollowUpSettings(deps.db, orgId), listGitHubLogins(deps.db, orgId)]);
  const fallback = deps.config.followUps?.repository;
  const repository = own?.repository ?? fallback;
  return {
    repository: repository ?? undefined,
    source: own?.repository ? 'workspace' : fallback ? 'default' : 'none',
    autoExport: own?.autoExport ?? false,
    logins,
  };
}

/** `/incident followups repo owner/name` (admin): checked against the tracker before it is stored. */
export async function setFollowUpRepository(deps: FollowUpDeps, input: { orgId: string; actor: Actor; repository: string | null }) {
  requirePermission(canAdminister(input.actor, 'Choosing the follow-up repository'));
  let repository = input.repository?.trim() || null;
  if (repository) {
    const problem = deps.tracker.validateRepository(repository);
    if (problem) throw new DomainError('invalid_input', problem);
    repository = repository.replace(/^https?:\/\/[^/]+\//, '').replace(/\.git$/, '').replace(/\/$/, '');
    try {
      await deps.tracker.checkAccess(repository);
    } catch (e) {
      // A typo or a repository the token cannot see is refused now, not at the first export.
      if (isTrackerError(e) && !e.transient) throw new DomainError('invalid_input', e.message);
      if (!isTrackerError(e)) throw e;
    }
  }
  await saveFollowUpSettings(deps.db, input.orgId, { repository }, input.actor.id, deps.now().toISOString());
  return followUpSettings(deps, input.orgId);
}

/** `/incident followups auto on|off` (admin): export every follow-up when its incident is resolved. */
export async function setFollowUpAutoExport(deps: FollowUpDeps, input: { orgId: string; actor: Actor; on: boolean }) {
  requirePermission(canAdminister(input.actor, 'Changing automatic follow-up export'));
  await saveFollowUpSettings(deps.db, input.orgId, { autoExport: input.on }, input.actor.id, deps.now().toISOString());
  return followUpSettings(deps, input.orgId);
}

/** GitHub's login rules: 1-39 letters, digits or single hyphens, not starting or ending with one. */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** `/incident followups map @user login` (admin, or anyone for themselves): the issue's assignee. */
export async function mapTrackerLogin(
  deps: FollowUpDeps,
  input: { orgId: string; actor: Actor; userId: string; login: string | null },
) {
  if (input.userId !== input.actor.id) requirePermission(canAdminister(input.actor, "Mapping someone else's GitHub login"));
  const login = input.login?.trim().replace(/^@/, '') || null;
  if (login && !GITHUB_LOGIN.test(login)) throw new DomainError('invalid_input', `“${login}” is not a GitHub login.`);
  await saveGitHubLogin(deps.db, input.orgId, input.userId, login, input.actor.id, deps.now().toISOString());
  return followUpSettings(deps, input.orgId);
}

export type ExportOutcome =
  | { kind: 'exported'; text: string; issue: IssueRef }
  | { kind: 'pending'; text: string; repository: string; note?: string };

async function repositoryOf(deps: FollowUpDeps, orgId: string): Promise<string> {
  const { repository } = await followUpSettings(deps, orgId);
  if (!repository) throw new DomainError('conflict', NOT_SET_UP);
  return repository;
}

/**
 * Export to GitHub (button, API, `/incident followups export`). Pressing twice creates one issue: the first
 * press records the intent, later ones are told the link or that it is pending. A repository that is gone
 * or a revoked token is refused at once with the reason (nothing recorded); an outage or a rate limit is
 * recorded and retried by the outbox, and the person is told it is pending.
 */
export async function exportFollowUp(deps: FollowUpDeps, input: IncidentInput & { actionId: string }): Promise<ExportOutcome> {
  requirePermission(canAddFollowUp(input.actor));
  const state = await deps.incidents.load(input.orgId, input.incidentId);
  if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
  requirePermission(canSeeIncident(input.actor, state));
  const action = state.actions.find((a) => a.id === input.actionId);
  if (!action) throw new DomainError('not_found', 'That follow-up action does not exist on this incident.');
  if (action.issue) return { kind: 'exported', text: action.text, issue: action.issue };
  if (action.exportPending) return { kind: 'pending', text: action.text, repository: action.exportPending.repository };
  const repository = await repositoryOf(deps, input.orgId);
  let note: string | undefined;
  try {
    await deps.tracker.checkAccess(repository);
  } catch (e) {
    if (!isTrackerError(e)) throw e;
    if (!e.transient) throw new DomainError('conflict', e.message);
    note = e.message;
  }
  const command: IncidentCommand = { type: 'ExportAction', actionId: action.id, tracker: deps.tracker.id, repository };
  try {
    await deps.incidents.execute({ ...input, command });
  } catch (e) {
    // A second press that raced the first: it lost, and the first one's export stands.
    if (!isDomainError(e) || e.code !== 'already_exists') throw e;
  }
  const after = (await deps.incidents.load(input.orgId, input.incidentId)).actions.find((a) => a.id === action.id);
  if (after?.issue) return { kind: 'exported', text: after.text, issue: after.issue };
  return { kind: 'pending', text: action.text, repository: after?.exportPending?.repository ?? repository, note };
}

/** What changed on the tracker's side, as its webhook tells it. */
export interface TrackerChange {
  repository: string;
  number: number;
  change: { type: 'closed' } | { type: 'reopened' } | { type: 'retitled'; title: string };
  /** The tracker's login of who did it. */
  sender: string;
  /** The delivery's own id (`X-GitHub-Delivery`): a redelivery changes nothing. */
  deliveryId: string;
}

export type TrackerChangeOutcome = { result: 'applied' | 'unchanged' | 'unknown_issue'; followUps: number };

/** An issue closed, reopened or retitled on the tracker → the follow-up done, reopened or renamed. */
export async function applyTrackerChange(deps: FollowUpDeps, input: TrackerChange): Promise<TrackerChangeOutcome> {
  const key = issueKey({ tracker: deps.tracker.id, repository: input.repository, number: input.number });
  const matches = await findFollowUpsByIssue(deps.db, key);
  if (matches.length === 0) return { result: 'unknown_issue', followUps: 0 };
  const actor: Actor = { kind: 'connector', id: `${deps.tracker.id}:${input.sender}`, role: 'responder' };
  let applied = 0;
  for (const m of matches) {
    const state = await deps.incidents.load(m.orgId, m.incidentId);
    const action = state.actions.find((a) => a.id === m.actionId);
    if (!action) continue;
    const c = input.change;
    // Already so (our own close coming back as a webhook, or a redelivery): nothing to record.
    if ((c.type === 'closed' && action.done) || (c.type === 'reopened' && !action.done)) continue;
    const command: IncidentCommand =
      c.type === 'closed'
        ? { type: 'CompleteAction', actionId: m.actionId }
        : c.type === 'reopened'
          ? { type: 'ReopenAction', actionId: m.actionId }
          : { type: 'RenameAction', actionId: m.actionId, text: c.title };
    try {
      const r = await deps.incidents.execute({
        orgId: m.orgId,
        incidentId: m.incidentId,
        actor,
        idempotencyKey: `${deps.tracker.id}-delivery:${input.deliveryId}:${m.actionId}`,
        command,
      });
      if (!r.duplicate && r.events.length > 0) applied++;
    } catch (e) {
      // A title GitHub allows but we cannot take (empty after trimming): the follow-up keeps its text.
      if (!isDomainError(e) || e.code !== 'invalid_input') throw e;
    }
  }
  return { result: applied > 0 ? 'applied' : 'unchanged', followUps: matches.length };
}

/** `/incident followups` in an incident channel (and the console): each follow-up with its issue, and the settings. */
export async function listFollowUps(deps: FollowUpDeps, input: IncidentInput) {
  const [state, settings] = await Promise.all([deps.incidents.load(input.orgId, input.incidentId), followUpSettings(deps, input.orgId)]);
  if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
  requirePermission(canSeeIncident(input.actor, state));
  return { incident: { id: state.id, number: state.number, title: state.title }, actions: state.actions, settings };
}

/** `/incident followups export`: every follow-up of the incident not in the tracker yet (a refusal stops at the first). */
export async function exportAllFollowUps(deps: FollowUpDeps, input: IncidentInput): Promise<ExportOutcome[]> {
  const state = await deps.incidents.load(input.orgId, input.incidentId);
  const out: ExportOutcome[] = [];
  for (const a of state.actions) {
    if (a.issue || a.exportPending) continue;
    const key = input.idempotencyKey ? `${input.idempotencyKey}:${a.id}` : undefined;
    out.push(await exportFollowUp(deps, { ...input, actionId: a.id, idempotencyKey: key }));
  }
  return out;
}
