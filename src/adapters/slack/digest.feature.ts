import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { deliverArchive, deliverArchiveNotice, deliverUnarchive } from '../cron/archive.delivery';
import { ARCHIVE, ARCHIVE_NOTICE, UNARCHIVE } from '../cron/archive.job';
import { DIGEST_POST } from '../cron/digest.job';
import { REMINDER_POST } from '../cron/reminder.job';
import type { Deliver } from '../outbox/outbox.worker';
import { deliverDigest, type ScheduledDeliveryDeps } from './digest.delivery';
import { registerDigestActions } from './digest.listener';
import { installHomeSections } from './home.sections';
import { deliverReminder } from './reminder.delivery';
import { registerReminderActions } from './reminder.listener';

/** Outbox handlers for everything the scheduler enqueues (and the reopen unarchive). */
export function scheduledDeliveries(deps: ScheduledDeliveryDeps): Record<string, Deliver> {
  return {
    [DIGEST_POST]: (row) => deliverDigest(deps, row),
    [REMINDER_POST]: (row) => deliverReminder(deps, row),
    [ARCHIVE_NOTICE]: (row) => deliverArchiveNotice(deps, row),
    [ARCHIVE]: (row) => deliverArchive(deps, row),
    [UNARCHIVE]: (row) => deliverUnarchive(deps, row),
  };
}

/** Bolt listeners: digest buttons, reminder buttons and the update form; plus the App Home dashboard. */
export function registerDigestFeature(app: App, deps: AppDeps): void {
  registerDigestActions(app, deps);
  registerReminderActions(app, deps);
  installHomeSections();
}
