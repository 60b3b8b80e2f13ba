import { deliverArchive, deliverArchiveNotice, deliverUnarchive } from '../../cron/archive.delivery';
import { createWebhookDeliveries } from '../../webhooks/webhook.effects';
import { createFollowUpDeliveries } from '../../github/followup.deliveries';
import { type DelivererRegistry, dispatchEffects } from '../../outbox/effect-registry';
import type { DeliverRow } from '../../outbox/outbox.worker';
import { deliverDigest } from '../digest/digest.delivery';
import { deliverInsights } from '../insights/insights.delivery';
import { deliverReminder } from '../reminders/reminder.delivery';
import type { SlackDeliveryDeps } from './delivery.deps';
import { createIncidentDeliveries } from './incident.deliveries';
import { deliverPostmortemPreview } from './postmortem-preview.delivery';
import { createPrivacyDeliveries } from '../privacy/privacy.deliveries';
import { createRollbackDeliveries } from '../../rollback/rollback.delivery';

/** Every effect kind's deliverer. The type makes the table complete: a kind without one does not compile. */
export function createSlackDeliveries(deps: SlackDeliveryDeps): DelivererRegistry {
  return {
    ...createIncidentDeliveries(deps),
    'postmortem.preview': (e) => deliverPostmortemPreview(deps, e),
    'digest.post': (e) => deliverDigest(deps, e),
    'insights.post': (e) => deliverInsights(deps, e),
    'reminder.post': (e) => deliverReminder(deps, e),
    'channel.archive_notice': (e) => deliverArchiveNotice(deps, e),
    'channel.archive': (e) => deliverArchive(deps, e),
    'channel.unarchive': (e) => deliverUnarchive(deps, e),
    ...createWebhookDeliveries(deps),
    ...createFollowUpDeliveries(deps),
    ...createPrivacyDeliveries(deps),
    ...createRollbackDeliveries(deps),
  };
}

/**
 * The outbox worker's delivery function, the same for the running bot, the CLI and the sandbox.
 * `overrides` replace single deliverers (tests that slow one kind down).
 */
export function createSlackDelivery(deps: SlackDeliveryDeps, overrides: Partial<DelivererRegistry> = {}): DeliverRow {
  return dispatchEffects({ ...createSlackDeliveries(deps), ...overrides });
}
