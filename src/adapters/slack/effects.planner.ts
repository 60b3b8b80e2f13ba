import type { EffectPlanner, PlannedEffect } from '../../app/effects';
import type { IncidentEvent, IncidentState } from '../../incidents/incident.types';
import { firingCount } from '../../incidents/signal-index';
import { assertNever } from '../../shared/domain-error';
import { clipMrkdwn, untrustedMrkdwn as u } from '../../shared/text';
import { actionMessage } from './incident.blocks';
import { IDS } from './ids';
import { resolvedBlocks } from './postmortems/postmortem.blocks';

/** Summary edits caused by alerts wait this long so a storm folds into few edits. */
export const SIGNAL_SUMMARY_DELAY_MS = 5_000;
export const ROLLUP_DELAY_MS = 10_000;

/**
 * Under an alert storm (this many signals seen on the incident within a minute) the alert-driven edits
 * space out further, so Slack writes per incident stay bounded however many alerts arrive: over a
 * one-minute storm, about 4 summary edits and 3 roll-up edits on top of the channel's opening.
 */
export const STORM_SIGNALS_PER_MINUTE = 20;
export const STORM_SUMMARY_DELAY_MS = 15_000;
export const STORM_ROLLUP_DELAY_MS = 20_000;

/** Counts from the newest end (attachments are appended), so a storm is recognised in O(threshold). */
export function isStorming(state: IncidentState, now: Date): boolean {
  if (state.signals.length < STORM_SIGNALS_PER_MINUTE) return false;
  const since = new Date(now.getTime() - 60_000).toISOString();
  let recent = 0;
  for (let i = state.signals.length - 1; i >= 0; i--) {
    if (state.signals[i].lastSeenAt >= since && ++recent >= STORM_SIGNALS_PER_MINUTE) return true;
  }
  return false;
}

export const summaryKey = (incidentId: string) => `summary:${incidentId}`;
export const rollupKey = (incidentId: string) => `rollup:${incidentId}`;

const post = (incidentId: string, text: string, blocks?: unknown[]): PlannedEffect => ({
  kind: 'slack.post',
  payload: { incidentId, text, ...(blocks ? { blocks } : {}) },
});
const ctx = (text: string) => [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }];

export function createEffectPlanner(opts: { announceChannel?: string }): EffectPlanner {
  return (before: IncidentState, after: IncidentState, events: IncidentEvent[], now: Date) => {
    const out: PlannedEffect[] = [];
    const id = after.id;
    const later = (ms: number) => new Date(now.getTime() + ms).toISOString();
    let summaryNow = false;
    let summarySoon = false;
    let rollup = false;
    for (const e of events) {
      switch (e.type) {
        case 'INCIDENT_CREATED':
          out.push({
            kind: 'incident.open_channel',
            payload: {
              incidentId: id,
              inviteUserIds: e.actor.startsWith('U') || e.actor.startsWith('W') ? [e.actor] : [],
            },
          });
          if (opts.announceChannel) {
            out.push({
              kind: 'slack.announce',
              payload: {
                incidentId: id,
                channel: opts.announceChannel,
                text: `:rotating_light: INC-${e.number} declared (${e.severity}): ${u(e.title)}`,
                withChannelLink: true,
              },
            });
          }
          break;
        case 'STATUS_CHANGED': {
          summaryNow = true;
          const text = `Status: ${e.from.toLowerCase()} → *${e.to.toLowerCase()}* by <@${e.actor}>${e.message ? `\n>${u(e.message)}` : ''}`;
          // A resolution offers the postmortem in the same message: one post, not two.
          out.push(post(id, text, e.to === 'RESOLVED' ? resolvedBlocks(text, after.number) : undefined));
          if (opts.announceChannel && (e.to === 'RESOLVED' || e.to === 'MITIGATED' || e.to === 'CANCELLED')) {
            out.push({
              kind: 'slack.announce',
              payload: {
                incidentId: id,
                channel: opts.announceChannel,
                text: `INC-${after.number} is now ${e.to.toLowerCase()}: ${u(after.title)}`,
                withChannelLink: true,
              },
            });
          }
          break;
        }
        case 'SEVERITY_UPDATED':
          summaryNow = true;
          out.push(post(id, `Severity: ${e.from} → *${e.to}* by <@${e.actor}>`));
          break;
        case 'ASSIGNEE_CHANGED':
          summaryNow = true;
          out.push({ kind: 'slack.invite', payload: { incidentId: id, userIds: [e.userId] } });
          out.push(post(id, `<@${e.userId}> is now *${e.role}* (set by <@${e.actor}>)`));
          break;
        case 'NOTE_ADDED':
          summaryNow = true;
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
          const m = actionMessage(after.number, e.actionId, e.text, e.owner);
          out.push(post(id, m.text, m.blocks));
          break;
        }
        case 'ACTION_COMPLETED':
          summaryNow = true;
          out.push(
            post(
              id,
              `:white_check_mark: Follow-up done by <@${e.actor}>: ${u(after.actions.find((a) => a.id === e.actionId)?.text ?? e.actionId)}`,
            ),
          );
          break;
        case 'UPDATE_POSTED':
          summaryNow = true;
          out.push(post(id, clipMrkdwn(`:loudspeaker: *Update* from <@${e.actor}>: ${u(e.text)}`, 3000)));
          if (opts.announceChannel) {
            out.push({
              kind: 'slack.announce',
              payload: {
                incidentId: id,
                channel: opts.announceChannel,
                text: clipMrkdwn(`:loudspeaker: INC-${after.number} update: ${u(e.text)}`, 3000),
                withChannelLink: true,
              },
            });
          }
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
            out.push(
              post(id, 'Every alert on this incident has resolved.', [
                {
                  type: 'section',
                  text: {
                    type: 'mrkdwn',
                    text: `:large_green_circle: Every alert on INC-${after.number} has resolved. ${after.roles.commander ? `<@${after.roles.commander}>, ` : ''}mark it mitigated when you agree.`,
                  },
                },
                {
                  type: 'actions',
                  elements: [
                    {
                      type: 'button',
                      action_id: IDS.markMitigated,
                      text: { type: 'plain_text', text: 'Mark mitigated' },
                      value: id,
                      style: 'primary',
                    },
                  ],
                },
              ]),
            );
          }
          break;
        }
        case 'POSTMORTEM_DRAFTED':
          // Rendered at delivery from the stored draft (see delivery/postmortem-preview.delivery.ts).
          out.push({
            kind: 'postmortem.preview',
            payload: {
              incidentId: id,
              version: e.version,
              generator: e.generator,
              model: e.model,
              fallback: e.fallback,
            },
          });
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
        default:
          assertNever(e);
      }
    }
    const storm = (summarySoon || rollup) && isStorming(after, now);
    if (before.exists && rollup) {
      // The roll-up renders the state when it runs, so one pending row covers any number of signals.
      out.push({
        kind: 'incident.signal_rollup',
        payload: { incidentId: id },
        dedupeKey: rollupKey(id),
        notBefore: later(storm ? STORM_ROLLUP_DELAY_MS : ROLLUP_DELAY_MS),
      });
    }
    if (before.exists && (summaryNow || summarySoon)) {
      const delay = summaryNow ? undefined : later(storm ? STORM_SUMMARY_DELAY_MS : SIGNAL_SUMMARY_DELAY_MS);
      out.push({
        kind: 'incident.sync_summary',
        payload: { incidentId: id },
        dedupeKey: summaryKey(id),
        notBefore: delay,
      });
    }
    return out;
  };
}
