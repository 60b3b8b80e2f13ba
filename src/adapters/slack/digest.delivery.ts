import type { WebClient } from '@slack/web-api';
import type { Config } from '../../config';
import { DEFAULT_MAX_ENTRIES, digestBlocks, type DigestMessage } from '../../watchlist/digest.blocks';
import { loadWatchlist } from '../db/digest.repo';
import type { DB } from '../db/schema';
import type { DeliveryOutcome, OutboxRow } from '../outbox/outbox.worker';
import { inChannel, slackOutcome } from './slack-idempotent';
import { findChannelByName, postOnce } from './slack.delivery';

export interface ScheduledDeliveryDeps {
  db: DB;
  config: Config;
  now: () => Date;
  clientFor: (orgId: string) => Promise<WebClient | undefined>;
}

// Shared with the other scheduled deliveries (archive, reminders).
export { inChannel, slackOutcome } from './slack-idempotent';

/** `#name`, `<#C123|name>` or `C123` → what chat.postMessage takes. */
export function channelRef(raw: string | undefined): string | undefined {
  const t = (raw ?? '').trim();
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(t);
  if (m) return m[1];
  return t.replace(/^#/, '') || undefined;
}

/** The digest of a workspace as it stands now. */
export async function buildDigest(db: DB, orgId: string, o: { timeZone: string; now: Date; interactive?: boolean; maxEntries?: number; heading?: string }): Promise<DigestMessage> {
  const max = o.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const { entries, totals } = await loadWatchlist(db, orgId, max);
  return digestBlocks({ entries, totals, now: o.now, timeZone: o.timeZone, teamId: orgId, interactive: o.interactive, maxEntries: max, heading: o.heading });
}

export interface DigestPayload {
  channel?: string;
  timezone: string;
  silentWhenEmpty: boolean;
  slot: string;
  reason: 'scheduled' | 'manual';
}

/**
 * `digest.post`: render the watchlist at delivery time and post it once (a retry finds the first post
 * by its effect id in the channel's history).
 */
export async function deliverDigest(deps: ScheduledDeliveryDeps, row: OutboxRow): Promise<DeliveryOutcome> {
  const p = row.payload as unknown as DigestPayload;
  const ref = channelRef(p.channel);
  if (!ref) return { type: 'failed', error: 'no digest channel: set DIGEST_CHANNEL or run /incident digest #channel' };
  const client = await deps.clientFor(row.org_id);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const msg = await buildDigest(deps.db, row.org_id, { timeZone: p.timezone, now: deps.now() });
  if (msg.empty && p.silentWhenEmpty) return { type: 'done', result: { skipped: 'empty watchlist' } };
  try {
    // A name (DIGEST_CHANNEL=sre) works for posting but not for looking up an earlier try: use the id.
    const channel = /^[CG][A-Z0-9]+$/.test(ref) ? ref : ((await findChannelByName(client, ref))?.id ?? ref);
    const ts = await inChannel(client, channel, () => postOnce(client, row.attempts > 1, { channel, text: msg.text, blocks: msg.blocks, effectId: `digest:${row.org_id}:${p.slot}` }));
    return { type: 'done', result: { ts, channel, shown: msg.shown, more: msg.more } };
  } catch (e) {
    return slackOutcome(e);
  }
}
