import type { WatchlistRow } from '../db/signal-watchlist.repo';
import { slackDate, truncate } from './summary.blocks';

const ICON: Record<string, string> = { BREACHED: ':red_circle:', AT_RISK: ':large_yellow_circle:' };

/**
 * `/incident watchlist`: a short list of the services at risk now. Kept on its own so the digest can
 * replace it with its richer blocks.
 */
export function watchlistBriefBlocks(rows: readonly WatchlistRow[]): { text: string; blocks: unknown[] } {
  if (rows.length === 0) return { text: ':large_green_circle: The watchlist is empty: no service is at risk.', blocks: [] };
  const breached = rows.filter((r) => r.status === 'BREACHED').length;
  const text = `Watchlist: ${rows.length} service${rows.length === 1 ? '' : 's'} at risk (${breached} breached)`;
  const lines = rows.slice(0, 20).map((r) => {
    const inc = r.incident_id ? ' · on an incident' : '';
    const n = r.firing_count === 1 ? '1 alert' : `${r.firing_count} alerts`;
    return `${ICON[r.status] ?? ':white_circle:'} *${r.service}* (${r.environment}) — ${r.status.replace('_', ' ').toLowerCase()}, score ${r.risk_score.toFixed(2)}, ${n}${inc}\n      ${truncate(r.title, 200)} · since ${slackDate(r.first_detected_at)}`;
  });
  const more = rows.length > 20 ? [`…and ${rows.length - 20} more`] : [];
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate([...lines, ...more].join('\n'), 2900) } },
    ],
  };
}
