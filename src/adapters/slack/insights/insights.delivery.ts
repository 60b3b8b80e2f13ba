import type { DeliveryOutcome } from '../../../app/effects';
import { isDomainError } from '../../../shared/domain-error';
import type { DeliveredEffect } from '../../outbox/effect-registry';
import { type ScheduledDeliveryDeps, SYSTEM_ACTOR } from '../delivery/delivery.deps';
import { channelRef } from '../digest/digest.delivery';
import { findChannelByName, slackOutcome } from '../slack-idempotent';
import { postInsights } from './insights.post';

/** One file name per scheduled slot: how a retry recognises that an earlier try already posted. */
export const slotFilename = (window: string, slot: string) =>
  `insights-${window}-${slot.slice(0, 16).replace(/:/g, '')}.png`;

/**
 * `insights.post` (the weekly post): numbers and charts rendered at delivery time. A retry first looks for
 * its own file in the channel's recent history, so a lost answer does not post twice.
 */
export async function deliverInsights(
  deps: ScheduledDeliveryDeps,
  e: DeliveredEffect<'insights.post'>,
): Promise<DeliveryOutcome> {
  const p = e.payload;
  const ref = channelRef(p.channel);
  if (!ref) return { type: 'failed', error: 'no insights channel: set INSIGHTS_CHANNEL' };
  const client = await deps.clientFor(e.orgId);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const filename = slotFilename(p.window, p.slot);
  try {
    const channel = /^[CG][A-Z0-9]+$/.test(ref) ? ref : ((await findChannelByName(client, ref))?.id ?? ref);
    // A public channel the bot was never invited to: join it (as the digest does); a private one must invite it.
    const info = await client.conversations.info({ channel }).catch(() => undefined);
    if (info?.channel && !info.channel.is_member) await client.conversations.join({ channel }).catch(() => undefined);
    if (e.attempts > 1) {
      const recent = await client.conversations.history({ channel, limit: 50 });
      if (recent.messages?.some((m) => m.files?.some((f) => f.name === filename)))
        return { type: 'done', result: { channel, filename, already: true } };
    }
    const { insights } = await postInsights(client, deps, {
      orgId: e.orgId,
      actor: SYSTEM_ACTOR,
      channelId: channel,
      window: p.window,
      filename,
    });
    return { type: 'done', result: { channel, filename, incidents: insights.totals.incidents } };
  } catch (err) {
    if (isDomainError(err)) return { type: 'failed', error: err.reason };
    return slackOutcome(err);
  }
}
