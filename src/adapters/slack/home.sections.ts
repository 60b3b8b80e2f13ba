import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { isValidTimeZone } from '../../watchlist/time.format';
import { listIncidents, openActionsOwnedBy } from '../db/incident.queries';
import { buildDigest } from './digest.delivery';
import { type HomeSection, homeSections } from './events.listener';
import { incidentsBySeverityBlocks, myActionsBlocks } from './home.blocks';

const HOME_WATCHLIST_ENTRIES = 5;

/** The viewer's Slack time zone (users.info), UTC when Slack does not say. */
async function viewerTimeZone(client: App['client'] | undefined, userId: string): Promise<string> {
  try {
    const tz = (await client?.users.info({ user: userId }))?.user?.tz;
    return tz && isValidTimeZone(tz) ? tz : 'UTC';
  } catch {
    return 'UTC';
  }
}

/** App Home: open incidents by severity, the top of the watchlist, and the viewer's own follow-ups. */
export const dashboardSection: HomeSection = async (deps: AppDeps, orgId, userId, client) => {
  const now = deps.now();
  const [tz, open, actions] = await Promise.all([viewerTimeZone(client, userId), listIncidents(deps.db, orgId, 'open', 50), openActionsOwnedBy(deps.db, orgId, userId)]);
  const watch = await buildDigest(deps.db, orgId, { timeZone: tz, now, interactive: false, maxEntries: HOME_WATCHLIST_ENTRIES, heading: 'Watchlist' });
  const watchBlocks = [...watch.blocks];
  if (!watch.empty) watchBlocks.push({ type: 'context', block_id: 'home_watch_hint', elements: [{ type: 'mrkdwn', text: '`/incident watchlist` shows it with Declare and Clear buttons.' }] });
  return [...incidentsBySeverityBlocks(open, now, tz), { type: 'divider' }, ...watchBlocks, { type: 'divider' }, ...myActionsBlocks(actions)];
};

/** Registered once per process, whatever the number of app instances. */
export function installHomeSections(): void {
  if (!homeSections.includes(dashboardSection)) homeSections.push(dashboardSection);
}
