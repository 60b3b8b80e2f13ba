import type { DigestSettings } from '../../../app/digest.service';
import type { WatchlistView } from '../../../app/watchlist.service';
import { DEFAULT_MAX_ENTRIES, digestBlocks, type DigestMessage } from '../../../watchlist/digest.blocks';
import { nextRuns } from '../../../watchlist/digest.schedule';
import { absoluteTime } from '../../../watchlist/time.format';

export const DIGEST_USAGE = [
  '`/incident digest` — show the schedule',
  '`/incident digest #channel [cron] [time zone]` — post the digest there (e.g. `digest #sre 0 9 * * 1-5 Europe/Berlin`)',
  '`/incident digest tz <time zone>` · `digest silent on|off` (quiet when nothing is at risk) · `digest on|off` · `digest reset` · `digest now`',
].join('\n');

export const channelLink = (c: string | undefined) =>
  !c
    ? '_no channel_ (set one with `/incident digest #channel`)'
    : /^[CG][A-Z0-9]+$/.test(c)
      ? `<#${c}>`
      : `#${c.replace(/^#/, '')}`;

/** The digest's settings as `/incident digest` shows them. */
export function digestSettingsText(s: DigestSettings, now: Date): string {
  const next = nextRuns(s.cron, s.timezone, now)[0];
  const from = (custom: boolean) => (custom ? '' : ' (default)');
  const when = next && s.enabled && s.channel ? ` — next ${absoluteTime(next.toISOString(), s.timezone, now)}` : '';
  return [
    `*Watchlist digest* ${s.enabled ? 'is on' : 'is *off*'}.`,
    `• Channel: ${channelLink(s.channel)}${from(s.custom.channel)}`,
    `• Schedule: \`${s.cron}\` in ${s.timezone}${from(s.custom.cron || s.custom.timezone)}${when}`,
    `• Nothing at risk: ${s.silentWhenEmpty ? 'stays silent' : 'posts a short all-clear'}`,
  ].join('\n');
}

/** `/incident watchlist` and App Home: the digest's blocks with a heading of their own. */
export function watchlistMessage(
  teamId: string,
  view: WatchlistView,
  now: Date,
  o: { interactive?: boolean; maxEntries?: number } = {},
): DigestMessage {
  return digestBlocks({
    entries: view.entries,
    totals: view.totals,
    now,
    timeZone: view.timeZone,
    teamId,
    interactive: o.interactive,
    maxEntries: o.maxEntries ?? DEFAULT_MAX_ENTRIES,
    heading: 'Watchlist',
  });
}
