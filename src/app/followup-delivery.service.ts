import { getGitHubLogins } from '../adapters/db/followups.repo';
import type { IssueRef } from '../incidents/followup.decider';
import type { ActionItem, Actor, IncidentState } from '../incidents/incident.types';
import { isDomainError } from '../shared/domain-error';
import type { DeliveryOutcome } from './effects';
import { type FollowUpTracker, type IssueState, isTrackerError, TrackerError } from './followups.ports';
import { type FollowUpDeps, followUpSettings } from './followups.service';

/**
 * The outbox side of follow-ups in a tracker: create the issue once, keep its state in step with the
 * follow-up, export everything when an incident is resolved (if the workspace asked for that). Each returns
 * how the delivery went; transient tracker errors are retried by the worker, after GitHub's reset time.
 */
export interface FollowUpDeliveryDeps extends FollowUpDeps {
  /** A link into the incident (its Slack channel) for the issue body; undefined without a channel. */
  incidentLink: (orgId: string, state: IncidentState) => string | undefined;
}

const SYSTEM: Actor = { kind: 'system', id: 'revenant', role: 'admin' };
/** The worker gives a row up after 30 tries; the last ones record why, so the follow-up is not left pending. */
const GIVE_UP_AT_ATTEMPT = 28;

/** In the issue body: finds the issue again when a try timed out after GitHub had created it. */
export const exportMarker = (orgId: string, actionId: string) => `<!-- runbook-revenant:follow-up ${orgId}/${actionId} -->`;

function retryOf(e: TrackerError, now: Date): DeliveryOutcome {
  const afterMs = e.retryAt ? Math.max(1000, Date.parse(e.retryAt) - now.getTime()) : undefined;
  return { type: 'retry', error: `${e.code}: ${e.message}`, ...(afterMs !== undefined ? { afterMs } : {}) };
}

function issueBody(state: IncidentState, action: ActionItem, link: string | undefined, login: string | undefined, marker: string) {
  const lines = [
    `Follow-up from **INC-${state.number}: ${state.title}** (${state.severity}, ${state.status.toLowerCase()}), exported by Runbook Revenant.`,
    '',
    `> ${action.text.replace(/\n/g, '\n> ')}`,
    '',
    `- Incident: ${link ? `[INC-${state.number} in Slack](${link})` : `INC-${state.number}`}`,
  ];
  if (state.postmortemPrUrl) lines.push(`- Postmortem: ${state.postmortemPrUrl}`);
  if (action.owner) lines.push(`- Owner: ${login ? `@${login}` : 'not mapped to a GitHub login (`/incident followups map`)'}`);
  lines.push(`- Added: ${action.createdAt}`, '', 'Closing this issue marks the follow-up done in Slack; reopening it reopens it.', '', marker);
  return lines.join('\n');
}

export const issueLabels = (state: IncidentState) => ['incident', 'follow-up', state.severity.toLowerCase()];

async function record(deps: FollowUpDeps, orgId: string, incidentId: string, command: Parameters<FollowUpDeps['incidents']['execute']>[0]['command']) {
  try {
    await deps.incidents.execute({ orgId, incidentId, actor: SYSTEM, command });
  } catch (e) {
    // The follow-up or incident changed meanwhile (e.g. another workspace state); nothing more to record.
    if (!isDomainError(e)) throw e;
  }
}

/** `followup.export`: adopt an issue an earlier try made, else create it; then record it on the follow-up. */
export async function deliverExport(
  deps: FollowUpDeliveryDeps,
  row: { orgId: string; incidentId: string; actionId: string; repository: string; attempts: number },
): Promise<DeliveryOutcome> {
  const state = await deps.incidents.load(row.orgId, row.incidentId);
  const action = state.actions.find((a) => a.id === row.actionId);
  if (!action) return { type: 'failed', error: `follow-up ${row.actionId} is not on the incident` };
  if (action.issue) return { type: 'done', result: { issue: action.issue.url, already: true } };
  if (!action.exportPending) return { type: 'done', result: { skipped: 'export no longer pending' } };
  const tracker: FollowUpTracker = deps.tracker;
  const marker = exportMarker(row.orgId, row.actionId);
  try {
    let issue: IssueRef | undefined = row.attempts > 1 ? await tracker.findIssue(row.repository, marker) : undefined;
    if (!issue) {
      const logins = action.owner ? await getGitHubLogins(deps.db, row.orgId, [action.owner]) : {};
      const login = action.owner ? logins[action.owner] : undefined;
      issue = await tracker.createIssue({
        repository: row.repository,
        title: action.text.replace(/\s+/g, ' ').trim(),
        body: issueBody(state, action, deps.incidentLink(row.orgId, state), login, marker),
        marker,
        labels: issueLabels(state),
        assignees: login ? [login] : [],
      });
    }
    const { tracker: t, repository, number, url } = issue;
    await record(deps, row.orgId, row.incidentId, { type: 'RecordActionExport', actionId: row.actionId, tracker: t, repository, number, url });
    return { type: 'done', result: { issue: url } };
  } catch (e) {
    if (!isTrackerError(e)) throw e;
    if (e.transient && row.attempts < GIVE_UP_AT_ATTEMPT) return retryOf(e, deps.now());
    const reason = e.transient ? `gave up after ${row.attempts} tries: ${e.message}` : e.message;
    await record(deps, row.orgId, row.incidentId, { type: 'FailActionExport', actionId: row.actionId, reason });
    return { type: 'failed', error: `${e.code}: ${reason}` };
  }
}

/** `followup.sync_issue`: the issue closed when the follow-up is done, open when it is not (as it is now). */
export async function deliverIssueSync(
  deps: FollowUpDeliveryDeps,
  row: { orgId: string; incidentId: string; actionId: string },
): Promise<DeliveryOutcome> {
  const state = await deps.incidents.load(row.orgId, row.incidentId);
  const action = state.actions.find((a) => a.id === row.actionId);
  if (!action?.issue) return { type: 'done', result: { skipped: 'not exported' } };
  const want: IssueState = action.done ? 'closed' : 'open';
  try {
    const now = await deps.tracker.setIssueState(action.issue, want);
    return { type: 'done', result: { issue: action.issue.url, state: now } };
  } catch (e) {
    if (!isTrackerError(e)) throw e;
    return e.transient ? retryOf(e, deps.now()) : { type: 'failed', error: `${e.code}: ${e.message}` };
  }
}

/** `followup.auto_export`: on resolution, export every follow-up not exported yet, if the workspace turned it on. */
export async function deliverAutoExport(deps: FollowUpDeliveryDeps, row: { orgId: string; incidentId: string }): Promise<DeliveryOutcome> {
  const settings = await followUpSettings(deps, row.orgId);
  if (!settings.autoExport || !settings.repository) return { type: 'done', result: { skipped: 'automatic export is off' } };
  const state = await deps.incidents.load(row.orgId, row.incidentId);
  // A private incident's follow-ups leave Slack only when a member exports them by hand.
  if (state.visibility === 'private') return { type: 'done', result: { skipped: 'private incident' } };
  let requested = 0;
  for (const a of state.actions) {
    if (a.issue || a.exportPending) continue;
    try {
      await deps.incidents.execute({
        orgId: row.orgId,
        incidentId: row.incidentId,
        actor: SYSTEM,
        idempotencyKey: `followup-auto-export:${a.id}`,
        command: { type: 'ExportAction', actionId: a.id, tracker: deps.tracker.id, repository: settings.repository },
      });
      requested++;
    } catch (e) {
      if (!isDomainError(e)) throw e;
    }
  }
  return { type: 'done', result: { requested } };
}
