import type { DeliveryOutcome } from '../../../app/effects';
import { DEFAULT_MAX_ENTRIES, digestBlocks, type DigestMessage } from '../../../watchlist/digest.blocks';
import { loadWatchlist } from '../../db/watchlist.repo';
import { sloDigestSummary } from '../../../app/slo.service';
import { sloDigestLine, withDigestSloLine } from '../slos/slo.blocks';
import type { DB } from '../../db/schema';
import type { DeliveredEffect } from '../../outbox/effect-registry';
import type { ScheduledDeliveryDeps } from '../delivery/delivery.deps';
import { findChannelByName, inChannel, postOnce, slackOutcome } from '../slack-idempotent';

/** `#name`, `<#C123|name>` or `C123` → what chat.postMessage takes. */
export function channelRef(raw: string | undefined): string | undefined {
  const t = (raw ?? '').trim();
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(t);
  if (m) return m[1];
  return t.replace(/^#/, '') || undefined;
}

/** The digest of a workspace as it stands now. */
export async function buildDigest(
  db: DB,
  orgId: string,
  o: { timeZone: string; now: Date; interactive?: boolean; maxEntries?: number; heading?: string },
): Promise<DigestMessage> {
  const max = o.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const { entries, totals } = await loadWatchlist(db, orgId, max);
  const slos = sloDigestLine(await sloDigestSummary(db, orgId).catch(() => undefined));
  const msg = digestBlocks({
    entries,
    totals,
    now: o.now,
    timeZone: o.timeZone,
    teamId: orgId,
    interactive: o.interactive,
    maxEntries: max,
    heading: o.heading,
  });
  return withDigestSloLine(msg, slos);
}

/**
 * `digest.post`: render the watchlist at delivery time and post it once (a retry finds the first post
 * by its effect id in the channel's history).
 */
export async function deliverDigest(
  deps: ScheduledDeliveryDeps,
  e: DeliveredEffect<'digest.post'>,
): Promise<DeliveryOutcome> {
  const p = e.payload;
  const ref = channelRef(p.channel);
  if (!ref) return { type: 'failed', error: 'no digest channel: set DIGEST_CHANNEL or run /incident digest #channel' };
  const client = await deps.clientFor(e.orgId);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const msg = await buildDigest(deps.db, e.orgId, { timeZone: p.timezone, now: deps.now() });
  if (msg.empty && p.silentWhenEmpty) return { type: 'done', result: { skipped: 'empty watchlist' } };
  try {
    // A name (DIGEST_CHANNEL=sre) works for posting but not for looking up an earlier try: use the id.
    const channel = /^[CG][A-Z0-9]+$/.test(ref) ? ref : ((await findChannelByName(client, ref))?.id ?? ref);
    const post = { channel, text: msg.text, blocks: msg.blocks, effectId: `digest:${e.orgId}:${p.slot}` };
    const ts = await inChannel(client, channel, () => postOnce(client, e.attempts > 1, post));
    return { type: 'done', result: { ts, channel, shown: msg.shown, more: msg.more } };
  } catch (err) {
    return slackOutcome(err);
  }
}
