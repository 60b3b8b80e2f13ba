import { effect, type PlannedEffect } from '../../../app/effects';
import { describeTarget } from '../../../changes/change.mapping';
import type { IncidentEvent } from '../../../incidents/incident.types';
import { formatDuration, type RollbackEventData } from '../../../incidents/rollback.decider';
import { assertNever } from '../../../shared/domain-error';
import { escapeMrkdwn as esc } from '../../../shared/text';

/** The channel message for a rollback event (the planner also re-renders the summary, which shows its status). */
export function rollbackPost(incidentId: string, e: IncidentEvent & RollbackEventData): PlannedEffect {
  const what = `*${esc(e.service)}* in \`${esc(e.environment)}\` ${esc(e.fromVersion)} → *${esc(e.toVersion)}*`;
  const text = ((): string => {
    switch (e.type) {
      case 'ROLLBACK_REQUESTED':
        return `:rewind: <@${e.actor}> is rolling back ${what} via ${esc(describeTarget(e.target))}.`;
      case 'ROLLBACK_STARTED':
        return `:arrows_counterclockwise: Rollback of ${what} dispatched (${esc(e.detail)}); waiting for the deployment of ${esc(e.toVersion)}.`;
      case 'ROLLBACK_FAILED':
        return `:x: Rollback of ${what} failed${e.stage === 'dispatch' ? ' to start' : ''}: ${esc(e.reason)}`;
      case 'ROLLBACK_COMPLETED':
        return `:white_check_mark: Rollback of ${what} succeeded: ${esc(e.version)} is live in \`${esc(e.environment)}\` (time to rollback ${formatDuration(e.durationMs)}).`;
      case 'ROLLBACK_TIMED_OUT':
        return `:hourglass: Rollback of ${what}: no deployment result after ${formatDuration(e.waitedMs)}. Check the deploy pipeline.`;
      default:
        return assertNever(e);
    }
  })();
  return effect('slack.post', { incidentId, text });
}
