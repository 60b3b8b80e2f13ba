import { effect, type EffectPlanner, type PlannedEffect } from '../../app/effects';
import type { IncidentEvent, IncidentState } from '../../incidents/incident.types';
import { firingCount } from '../../incidents/signal-index';
import { assertNever } from '../../shared/domain-error';
import { clipMrkdwn, untrustedMrkdwn as u } from '../../shared/text';
import { actionMessage } from './incident.blocks';
import { allResolvedMessage } from './delivery/planned-messages.blocks';
import { pacedEdits, type SummaryPacer } from './delivery/edit-pacing';
import { resolvedBlocks } from './postmortems/postmortem.blocks';
import { actorLabel, followUpPosts, followUpTrackerEffects } from './followups/followup.planner';
import { announcementFor, planPrivacy } from './privacy/privacy.planner';
import { rollbackPost } from './rollback/rollback.planner';

const post = (incidentId: string, text: string, blocks?: unknown[]): PlannedEffect =>
  effect('slack.post', { incidentId, text, ...(blocks ? { blocks } : {}) });
const isPerson = (actor: string) => actor.startsWith('U') || actor.startsWith('W');
/** What the postmortem preview needs to say who drafted it; the draft itself is read at delivery. */
const pick = (e: { version: number; generator?: 'llm' | 'deterministic'; model?: string; fallback?: string }) => ({
  version: e.version,
  generator: e.generator,
  model: e.model,
  fallback: e.fallback,
});
const ctx = (text: string) => [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }];

export function createEffectPlanner(opts: {
  announceChannel?: string;
  privateAnnounce?: 'none' | 'neutral';
  /** Follow-up messages carry an Export to GitHub button (a GitHub token is configured). */
  followUpExport?: boolean;
  /** Spaces people's summary edits per incident (see edit-pacing.ts); without one each change edits at once. */
  summaryPacer?: SummaryPacer;
}): EffectPlanner {
  return (before: IncidentState, after: IncidentState, events: IncidentEvent[], now: Date) => {
    const out: PlannedEffect[] = [];
    const id = after.id;
    let summaryNow = false;
    let summarySoon = false;
    let rollup = false;
    const announce = (full: string, kind: 'declared' | 'other' = 'other') => {
      // A private incident is never announced (or only as a neutral line): no title, text or channel link.
      const text = announcementFor(after, full, kind, opts.privateAnnounce);
      if (opts.announceChannel && text)
        out.push(
          effect('slack.announce', {
            incidentId: id,
            channel: opts.announceChannel,
            text,
            withChannelLink: after.visibility !== 'private',
          }),
        );
    };
    for (const e of events) {
      switch (e.type) {
        case 'INCIDENT_CREATED':
          out.push(
            effect('incident.open_channel', { incidentId: id, inviteUserIds: isPerson(e.actor) ? [e.actor] : [] }),
          );
          announce(`:rotating_light: INC-${e.number} declared (${e.severity}): ${u(e.title)}`, 'declared');
          break;
        case 'STATUS_CHANGED': {
          summaryNow = true;
          const text = `Status: ${e.from.toLowerCase()} → *${e.to.toLowerCase()}* by <@${e.actor}>${e.message ? `\n>${u(e.message)}` : ''}`;
          // A resolution offers the postmortem in the same message: one post, not two.
          out.push(post(id, text, e.to === 'RESOLVED' ? resolvedBlocks(text, after.number) : undefined));
          if (e.to === 'RESOLVED' || e.to === 'MITIGATED' || e.to === 'CANCELLED') {
            announce(`INC-${after.number} is now ${e.to.toLowerCase()}: ${u(after.title)}`);
          }
          break;
        }
        case 'SEVERITY_UPDATED':
          summaryNow = true;
          out.push(post(id, `Severity: ${e.from} → *${e.to}* by <@${e.actor}>`));
          break;
        case 'ASSIGNEE_CHANGED':
          summaryNow = true;
          out.push(effect('slack.invite', { incidentId: id, userIds: [e.userId] }));
          out.push(post(id, `<@${e.userId}> is now *${e.role}* (set by <@${e.actor}>)`));
          break;
        case 'NOTE_ADDED':
          summaryNow = true;
          if (e.source?.threadTs) break; // a reply in the summary's thread: already where people read it
          // People's text is escaped: a note never relays <!everyone>, <!here> or a group mention (untrustedMrkdwn).
          out.push(
            post(
              id,
              clipMrkdwn(`:memo: Note by <@${e.actor}>: ${u(e.text)}`, 3000),
              ctx(`:memo: Added to the timeline by <@${e.actor}>`).concat([
                { type: 'section', text: { type: 'mrkdwn', text: clipMrkdwn(u(e.text), 2900) || '_(empty note)_' } },
              ] as never),
            ),
          );
          break;
        case 'ACTION_ADDED': {
          summaryNow = true;
          const m = actionMessage(after.number, e.actionId, e.text, e.owner, { exportButton: opts.followUpExport });
          out.push(post(id, m.text, m.blocks));
          break;
        }
        case 'ACTION_COMPLETED':
          summaryNow = true;
          out.push(
            post(
              id,
              `:white_check_mark: Follow-up done by ${actorLabel(e.actor)}: ${u(after.actions.find((a) => a.id === e.actionId)?.text ?? e.actionId)}`,
            ),
          );
          break;
        case 'ACTION_REOPENED':
          summaryNow = true;
          out.push(
            post(id, `:arrows_counterclockwise: Follow-up reopened by ${actorLabel(e.actor)}: ${u(after.actions.find((a) => a.id === e.actionId)?.text ?? e.actionId)}`),
          );
          break;
        case 'UPDATE_POSTED':
          summaryNow = true;
          out.push(post(id, clipMrkdwn(`:loudspeaker: *Update* from <@${e.actor}>: ${u(e.text)}`, 3000)));
          announce(clipMrkdwn(`:loudspeaker: INC-${after.number} update: ${u(e.text)}`, 3000));
          break;
        case 'SIGNAL_ATTACHED':
          summarySoon = true;
          rollup = true;
          break;
        case 'SIGNAL_RESOLVED': {
          summarySoon = true;
          // Refresh the roll-up's firing count, if there is one (signals attached after the declaration).
          if (after.signals.some((s) => s.attachedAt > after.createdAt)) rollup = true;
          const allResolved = after.signals.length > 0 && firingCount(after.signals) === 0;
          const wasFiring = firingCount(before.signals) > 0;
          if (allResolved && wasFiring && (after.status === 'OPEN' || after.status === 'INVESTIGATING')) {
            const m = allResolvedMessage(id, after.number, after.roles.commander);
            out.push(post(id, m.text, m.blocks));
          }
          break;
        }
        case 'POSTMORTEM_DRAFTED':
          // Rendered at delivery from the stored draft (see delivery/postmortem-preview.delivery.ts).
          out.push(effect('postmortem.preview', { incidentId: id, ...pick(e) }));
          break;
        case 'GUIDANCE_GENERATED':
          break;
        case 'POSTMORTEM_PR_OPENED':
          summaryNow = true;
          out.push(post(id, `:page_facing_up: Postmortem pull request: <${e.url}|#${e.number}>`));
          break;
        case 'CHANNEL_LINKED':
        case 'SUMMARY_POSTED':
          break; // written by the open_channel effect itself
        case 'MEMBER_ADDED':
        case 'ADMIN_JOINED':
        case 'ACCESS_REQUESTED':
        case 'ACCESS_DECIDED':
        case 'INCIDENT_MADE_PRIVATE':
        case 'PRIVATE_INCIDENT_VIEWED':
          out.push(...planPrivacy(e, after));
          break;
        case 'NOTE_EDITED':
        case 'NOTE_DELETED':
          break; // the change happened in the channel itself
        case 'ACTION_EXPORTED':
        case 'ACTION_RENAMED':
          summaryNow = true;
          out.push(...followUpPosts(after, e));
          break;
        case 'ACTION_EXPORT_REQUESTED':
        case 'ACTION_EXPORT_FAILED':
          out.push(...followUpPosts(after, e));
          break;
        case 'ROLLBACK_REQUESTED':
        case 'ROLLBACK_STARTED':
        case 'ROLLBACK_FAILED':
        case 'ROLLBACK_COMPLETED':
        case 'ROLLBACK_TIMED_OUT':
          summaryNow = true;
          out.push(rollbackPost(id, e));
          break;
        case 'TIMELINE_TIME_CORRECTED':
          out.push(
            post(id, `:clock3: <@${e.actor}> corrected the time of timeline entry #${e.entrySeq}: ${e.from} → ${e.to}`),
          );
          break;
        default:
          assertNever(e);
      }
    }
    out.push(...followUpTrackerEffects(before, after, events));
    out.push(...pacedEdits(before, after, now, { summaryNow, summarySoon, rollup }, opts.summaryPacer));
    return out;
  };
}
