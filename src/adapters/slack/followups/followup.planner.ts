import { effect, type PlannedEffect } from '../../../app/effects';
import type { FollowUpEventData } from '../../../incidents/followup.decider';
import type { IncidentEvent, IncidentState } from '../../../incidents/incident.types';
import { assertNever } from '../../../shared/domain-error';
import { clipMrkdwn, untrustedMrkdwn as u } from '../../../shared/text';

/**
 * Follow-ups in an issue tracker, as effects: the channel posts of the tracker events, and the tracker calls
 * (create, close, reopen) that follow from the incident's own events. Called from effects.planner.ts.
 */
const isPerson = (actor: string) => actor.startsWith('U') || actor.startsWith('W');
/** Tracker webhooks act as `github:<login>`: shown as the login and where it came from, never as a mention. */
export const actorLabel = (actor: string) => {
  if (isPerson(actor)) return `<@${actor}>`;
  const m = /^([a-z]+):(.+)$/.exec(actor);
  return m && m[1] !== 'token' && m[1] !== 'connector' ? `${u(m[2])} (${trackerName(m[1])})` : u(actor);
};
const trackerName = (t: string) => (t === 'github' ? 'GitHub' : t);
export const fromTracker = (actor: string) => /^github:/.test(actor);

const post = (incidentId: string, text: string): PlannedEffect =>
  effect('slack.post', { incidentId, text: clipMrkdwn(text, 3000) });
const textOf = (s: IncidentState, actionId: string) => s.actions.find((a) => a.id === actionId)?.text ?? actionId;

/** The channel's post for a follow-up tracker event (the export request itself is answered to its asker). */
export function followUpPosts(after: IncidentState, e: IncidentEvent & FollowUpEventData): PlannedEffect[] {
  const id = after.id;
  switch (e.type) {
    case 'ACTION_EXPORT_REQUESTED':
      return [effect('followup.export', { incidentId: id, actionId: e.actionId, repository: e.repository })];
    case 'ACTION_EXPORTED':
      return [
        post(id, `:link: Follow-up tracked in ${trackerName(e.tracker)} as <${e.url}|${u(e.repository)}#${e.number}>: ${u(textOf(after, e.actionId))}`),
      ];
    case 'ACTION_EXPORT_FAILED':
      return [post(id, `:warning: Could not export the follow-up “${u(textOf(after, e.actionId))}”: ${u(e.reason)}`)];
    case 'ACTION_RENAMED':
      return [post(id, `:pencil2: Follow-up renamed by ${actorLabel(e.actor)}: ~${u(e.from)}~ → ${u(e.text)}`)];
    default:
      return assertNever(e);
  }
}

/**
 * Tracker calls the incident's own events ask for: marking an exported follow-up done (or not done) closes (or
 * reopens) its issue, unless the change came from the tracker itself; resolving offers every follow-up for
 * automatic export (the deliverer checks the workspace's `followups auto` setting).
 */
export function followUpTrackerEffects(before: IncidentState, after: IncidentState, events: IncidentEvent[]): PlannedEffect[] {
  const out: PlannedEffect[] = [];
  const id = after.id;
  for (const e of events) {
    if ((e.type === 'ACTION_COMPLETED' || e.type === 'ACTION_REOPENED') && !fromTracker(e.actor)) {
      const a = after.actions.find((x) => x.id === e.actionId);
      // Not exported yet: the export delivery closes a freshly made issue of a follow-up that is done by then.
      if (a?.issue) out.push(effect('followup.sync_issue', { incidentId: id, actionId: e.actionId }));
    }
    // Done while its export was pending: the new issue is closed right away.
    if (e.type === 'ACTION_EXPORTED' && after.actions.find((x) => x.id === e.actionId)?.done) {
      out.push(effect('followup.sync_issue', { incidentId: id, actionId: e.actionId }));
    }
    if (e.type === 'STATUS_CHANGED' && e.to === 'RESOLVED' && before.status !== 'RESOLVED') {
      if (after.actions.some((a) => !a.issue && !a.exportPending)) {
        out.push(effect('followup.auto_export', { incidentId: id }, { dedupeKey: `followup.auto_export:${id}` }));
      }
    }
  }
  return out;
}
