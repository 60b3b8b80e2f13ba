import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { registerReminderActions } from '../reminders/reminder.listener';
import { registerWatchlistActions } from '../watchlist/watchlist.listener';

/** Bolt listeners: the digest's watchlist buttons, reminder buttons and the update form. */
export function registerDigestFeature(app: App, deps: AppDeps): void {
  registerWatchlistActions(app, deps);
  registerReminderActions(app, deps);
}
