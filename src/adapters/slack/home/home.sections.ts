import type { App } from '@slack/bolt';
import { type HomeDashboard, HOME_WATCHLIST_ENTRIES } from '../../../app/home.service';
import { isValidTimeZone } from '../../../watchlist/time.format';
import { watchlistMessage } from '../digest/digest-settings.blocks';
import { incidentsBySeverityBlocks, myActionsBlocks } from './home.blocks';

type Block = Record<string, unknown>;

/** The viewer's Slack time zone (users.info), UTC when Slack does not say. */
export async function viewerTimeZone(client: App['client'] | undefined, userId: string): Promise<string> {
  try {
    const tz = (await client?.users.info({ user: userId }))?.user?.tz;
    return tz && isValidTimeZone(tz) ? tz : 'UTC';
  } catch {
    return 'UTC';
  }
}

/** App Home: open incidents by severity, the top of the watchlist, and the viewer's own follow-ups. */
export function dashboardBlocks(teamId: string, d: HomeDashboard, now: Date, timeZone: string): Block[] {
  const watch = watchlistMessage(teamId, { ...d.watchlist, timeZone }, now, {
    interactive: false,
    maxEntries: HOME_WATCHLIST_ENTRIES,
  });
  const watchBlocks = [...watch.blocks];
  if (!watch.empty) {
    watchBlocks.push({
      type: 'context',
      block_id: 'home_watch_hint',
      elements: [{ type: 'mrkdwn', text: '`/incident watchlist` shows it with Declare and Clear buttons.' }],
    });
  }
  return [
    ...incidentsBySeverityBlocks(d.open, now, timeZone),
    { type: 'divider' },
    ...watchBlocks,
    { type: 'divider' },
    ...myActionsBlocks(d.myActions),
  ];
}
