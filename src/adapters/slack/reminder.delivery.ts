import { reminderDue } from '../../watchlist/reminder.policy';
import { snoozesOf } from '../db/digest-jobs.repo';
import { findIncidentById } from '../db/incident.queries';
import type { DeliveryOutcome, OutboxRow } from '../outbox/outbox.worker';
import { inChannel, type ScheduledDeliveryDeps, slackOutcome } from './digest.delivery';
import { reminderMessage } from './reminder.blocks';
import { postOnce } from './slack.delivery';

/**
 * `reminder.post`: re-checked when delivered, so an update (or a snooze) that landed after the slot
 * was claimed still stops it.
 */
export async function deliverReminder(deps: ScheduledDeliveryDeps, row: OutboxRow): Promise<DeliveryOutcome> {
  const { incidentId, slot } = row.payload as { incidentId: string; slot: string };
  const inc = await findIncidentById(deps.db, row.org_id, incidentId);
  if (!inc) return { type: 'failed', error: 'incident_not_found' };
  if (!inc.channel_id) return { type: 'retry', error: 'channel not open yet' };
  const now = deps.now();
  const snoozed = (await snoozesOf(deps.db, [inc.id])).get(inc.id);
  const due = reminderDue({ status: inc.status, severity: inc.severity, createdAt: inc.created_at, lastUpdateAt: inc.last_update_at }, deps.config.reminders.intervals, now, snoozed);
  if (!due || Date.parse(due.base) > Date.parse(slot)) return { type: 'done', result: { skipped: 'updated, snoozed or closed since' } };
  const client = await deps.clientFor(row.org_id);
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
    const ts = await inChannel(client, channel, () => postOnce(client, row.attempts > 1, { channel, text: msg.text, blocks: msg.blocks, effectId: `reminder:${inc.id}:${slot}` }));
    return { type: 'done', result: { ts } };
  } catch (e) {
    return slackOutcome(e);
  }
}
