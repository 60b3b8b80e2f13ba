import { type DeliveryOutcome, effect, type EffectPlanner } from '../../app/effects';
import { isClosed } from '../../incidents/incident.decider';
import { closedAt } from '../../watchlist/archive.policy';
import { duration } from '../../watchlist/time.format';
import { everClaimed } from '../db/digest.repo';
import { findIncidentById } from '../db/incident.queries';
import { enqueueEffects } from '../db/outbox.repo';
import type { DeliveredEffect } from '../outbox/effect-registry';
import type { ScheduledDeliveryDeps } from '../slack/delivery/delivery.deps';
import { summaryKey } from '../slack/delivery/edit-pacing';
import { classifySlackError, slackErrorCode } from '../slack/slack-errors';
import { inChannel, postOnce, repeatable, slackOutcome } from '../slack/slack-idempotent';
import { slackDate } from '../slack/summary.blocks';

const closedOf = (inc: { status: string; resolved_at: string | null; cancelled_at: string | null }) =>
  closedAt({ status: inc.status, resolvedAt: inc.resolved_at, cancelledAt: inc.cancelled_at });

/**
 * The incident, still closed as it was when the effect was planned, with its channel and the workspace's
 * client; otherwise the outcome to settle with (reopened or gone since, or the workspace uninstalled us).
 */
type Closed =
  | { outcome: DeliveryOutcome }
  | {
      outcome?: undefined;
      inc: NonNullable<Awaited<ReturnType<typeof findIncidentById>>>;
      client: NonNullable<Awaited<ReturnType<ScheduledDeliveryDeps['clientFor']>>>;
      channel: string;
    };
async function stillClosed(
  deps: ScheduledDeliveryDeps,
  e: DeliveredEffect<'channel.archive_notice' | 'channel.archive'>,
): Promise<Closed> {
  const inc = await findIncidentById(deps.db, e.orgId, e.payload.incidentId);
  if (!inc?.channel_id || closedOf(inc) !== e.payload.closedAt)
    return { outcome: { type: 'done', result: { skipped: 'reopened or gone' } } };
  const client = await deps.clientFor(e.orgId);
  if (!client) return { outcome: { type: 'failed', error: 'workspace_not_installed' } };
  return { inc, client, channel: inc.channel_id };
}

/** The warning in the channel before it is archived. */
export async function deliverArchiveNotice(
  deps: ScheduledDeliveryDeps,
  e: DeliveredEffect<'channel.archive_notice'>,
): Promise<DeliveryOutcome> {
  const p = e.payload;
  const found = await stillClosed(deps, e);
  if (found.outcome) return found.outcome;
  const { inc, client, channel } = found;
  const left = duration(Date.parse(p.archiveAt) - deps.now().getTime());
  const text = `:file_cabinet: INC-${inc.number} is ${inc.status.toLowerCase()}. This channel will be archived ${slackDate(p.archiveAt)} (in about ${left}). To keep it open, reopen the incident with \`/incident status investigating\`.`;
  try {
    const ts = await inChannel(client, channel, () =>
      postOnce(client, e.attempts > 1, { channel, text, effectId: `archive-notice:${inc.id}:${p.closedAt}` }),
    );
    return { type: 'done', result: { ts } };
  } catch (err) {
    return slackOutcome(err);
  }
}

export async function deliverArchive(
  deps: ScheduledDeliveryDeps,
  e: DeliveredEffect<'channel.archive'>,
): Promise<DeliveryOutcome> {
  // Reopened (or closed again later, which has its own slot) since this was claimed: leave the channel.
  const found = await stillClosed(deps, e);
  if (found.outcome) return found.outcome;
  const { client, channel } = found;
  try {
    await inChannel(client, channel, () => repeatable(() => client.conversations.archive({ channel })));
    return { type: 'done', result: { archived: channel } };
  } catch (err) {
    if (slackErrorCode(err) === 'already_archived')
      return { type: 'done', result: { archived: channel, already: true } };
    return slackOutcome(err);
  }
}

/**
 * Reopening unarchives the channel we archived. Slack documents that bot tokens cannot currently
 * unarchive (api.slack.com/methods/conversations.unarchive, "Bug alert"); when Slack refuses, the
 * person who reopened is told to unarchive it from the channel themselves.
 */
export async function deliverUnarchive(
  deps: ScheduledDeliveryDeps,
  e: DeliveredEffect<'channel.unarchive'>,
): Promise<DeliveryOutcome> {
  const p = e.payload;
  const inc = await findIncidentById(deps.db, e.orgId, p.incidentId);
  if (!inc?.channel_id) return { type: 'done', result: { skipped: 'no channel' } };
  if (!(await everClaimed(deps.db, e.orgId, 'archive', inc.id)))
    return { type: 'done', result: { skipped: 'never archived by us' } };
  const client = await deps.clientFor(e.orgId);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const channel = inc.channel_id;
  try {
    await repeatable(() => client.conversations.unarchive({ channel }));
  } catch (err) {
    const code = slackErrorCode(err);
    if (code !== 'not_archived') {
      const f = classifySlackError(err);
      if (f.kind !== 'platform') return slackOutcome(err);
      if (p.requestedBy && /^[UW][A-Z0-9]+$/.test(p.requestedBy)) {
        await client.chat
          .postMessage({
            channel: p.requestedBy,
            text: `INC-${inc.number} is open again, but Slack would not let me unarchive <#${channel}> (${f.error}). Open the channel and choose *Unarchive* at the bottom.`,
          })
          .catch(() => undefined);
      }
      return { type: 'done', result: { unarchived: false, error: f.error } };
    }
  }
  // The summary edit that came with the reopen may have hit the archived channel: render it again.
  await enqueueEffects(
    deps.db,
    e.orgId,
    inc.id,
    [effect('incident.sync_summary', { incidentId: inc.id }, { dedupeKey: summaryKey(inc.id) })],
    deps.now(),
  );
  return { type: 'done', result: { unarchived: channel } };
}

/** Wraps the incident effect planner: a reopen unarchives the channel before anything is posted to it. */
export function withChannelLifecycle(inner: EffectPlanner): EffectPlanner {
  return (before, after, events, now, ctx) => {
    const planned = inner(before, after, events, now, ctx);
    const reopen = events.find((ev) => ev.type === 'STATUS_CHANGED' && isClosed(ev.from) && !isClosed(ev.to));
    if (!reopen) return planned;
    return [effect('channel.unarchive', { incidentId: after.id, requestedBy: reopen.actor }), ...planned];
  };
}
