import { assertNever } from '../shared/domain-error';
import type { IncidentEvent } from './incident.types';
import { describePrivacyEvent, isPrivacyEvent } from './privacy.decider';
import { describeTimelineChange, filesSuffix, isTimelineEvent } from './timeline.decider';
import { describeFollowUpEvent, isFollowUpEvent } from './followup.decider';
import { describeRollbackEvent, isRollbackEvent } from './rollback.decider';

/** One line of the timeline for an event, in Slack mrkdwn (user ids render as mentions). */
export function describeEvent(e: IncidentEvent): string {
  const who = e.actor.startsWith('U') || e.actor.startsWith('W') ? `<@${e.actor}>` : e.actor;
  if (isPrivacyEvent(e)) return describePrivacyEvent(e);
  if (isTimelineEvent(e)) return describeTimelineChange(e, who);
  if (isFollowUpEvent(e)) return describeFollowUpEvent(e, who);
  if (isRollbackEvent(e)) return describeRollbackEvent(e, who);
  switch (e.type) {
    case 'INCIDENT_CREATED':
      return `${who} declared INC-${e.number} (${e.severity}): ${e.title}`;
    case 'STATUS_CHANGED':
      return `${who} changed status ${e.from.toLowerCase()} → ${e.to.toLowerCase()}${e.message ? `: ${e.message}` : ''}`;
    case 'SEVERITY_UPDATED':
      return `${who} changed severity ${e.from} → ${e.to}`;
    case 'ASSIGNEE_CHANGED':
      return `${who} made <@${e.userId}> ${e.role}`;
    case 'NOTE_ADDED':
      return (
        (e.source?.author ? `${who} added a message from <@${e.source.author}>: ${e.text}` : `${who} noted: ${e.text}`) +
        filesSuffix(e.source?.files)
      );
    case 'ACTION_ADDED':
      return `${who} added follow-up: ${e.text}`;
    case 'ACTION_COMPLETED':
      return `${who} completed a follow-up (${e.actionId})`;
    case 'ACTION_REOPENED':
      return `${who} reopened a follow-up (${e.actionId})`;
    case 'UPDATE_POSTED':
      return `${who} posted an update: ${e.text}`;
    case 'SIGNAL_ATTACHED': {
      // A dependency is the one join a reader cannot guess from the signal itself: say it.
      const via = e.signal.correlation?.rule === 'topology' ? `; joined: ${e.signal.correlation.reason}` : '';
      return `Signal ${e.signal.risk.toLowerCase().replace('_', ' ')}: ${e.signal.title} (${e.signal.service}/${e.signal.environment}, ${e.signal.source}${via})`;
    }
    case 'SIGNAL_RESOLVED':
      return `Signal resolved (${e.fingerprint})`;
    case 'CHANNEL_LINKED':
      return `Channel #${e.channelName} opened`;
    case 'SUMMARY_POSTED':
      return 'Live summary pinned';
    case 'POSTMORTEM_DRAFTED':
      return `${who} drafted postmortem v${e.version}${e.model ? ` (${e.model})` : ''}`;
    case 'POSTMORTEM_PR_OPENED':
      return `Postmortem pull request #${e.number}: ${e.url}`;
    case 'GUIDANCE_GENERATED':
      return `${who} asked for guidance (${e.generator}${e.model ? `, ${e.model}` : ''})`;
    default:
      return assertNever(e);
  }
}
