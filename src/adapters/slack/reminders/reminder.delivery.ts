import type { DeliveryOutcome } from '../../../app/effects';
import { reminderDue } from '../../../watchlist/reminder.policy';
import { snoozesOf } from '../../db/digest-jobs.repo';
import { findIncidentById } from '../../db/incident.queries';
import type { DeliveredEffect } from '../../outbox/effect-registry';
import type { ScheduledDeliveryDeps } from '../delivery/delivery.deps';
import { inChannel, postOnce, slackOutcome } from '../slack-idempotent';
import { reminderMessage } from './reminder.blocks';

/**
 * `reminder.post`: re-checked when delivered, so an update (or a snooze) that landed after the slot
 * was claimed still stops it.
 */
export async function deliverReminder(
  deps: ScheduledDeliveryDeps,
  e: DeliveredEffect<'reminder.post'>,
): Promise<DeliveryOutcome> {
  const { incidentId, slot } = e.payload;
  const inc = await findIncidentById(deps.db, e.orgId, incidentId);
  if (!inc) return { type: 'failed', error: 'incident_not_found' };
  if (!inc.channel_id) return { type: 'retry', error: 'channel not open yet' };
  const now = deps.now();
  const snoozed = (await snoozesOf(deps.db, [inc.id])).get(inc.id);
  const due = reminderDue(
    { status: inc.status, severity: inc.severity, createdAt: inc.created_at, lastUpdateAt: inc.last_update_at },
    deps.config.reminders.intervals,
    now,
    snoozed,
  );
  if (!due || Date.parse(due.base) > Date.parse(slot))
    return { type: 'done', result: { skipped: 'updated, snoozed or closed since' } };
  const client = await deps.clientFor(e.orgId);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const msg = reminderMessage({
    incidentId: inc.id,
    number: inc.number,
    title: inc.title,
    severity: inc.severity,
    commanderId: inc.commander_id,
    createdBy: inc.created_by,
    lastUpdateAt: inc.last_update_at,
    createdAt: inc.created_at,
    interval: due.interval,
    now,
  });
  const channel = inc.channel_id;
  try {
    const ts = await inChannel(client, channel, () =>
      postOnce(client, e.attempts > 1, {
        channel,
        text: msg.text,
        blocks: msg.blocks,
        effectId: `reminder:${inc.id}:${slot}`,
      }),
    );
    return { type: 'done', result: { ts } };
  } catch (e) {
    return slackOutcome(e);
  }
}
