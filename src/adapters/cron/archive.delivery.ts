import type { EffectPlanner } from '../../app/effects';
import { isClosed } from '../../incidents/incident.decider';
import { closedAt } from '../../watchlist/archive.policy';
import { duration } from '../../watchlist/time.format';
import { everClaimed } from '../db/digest.repo';
import { findIncidentById } from '../db/incident.queries';
import { enqueueEffects } from '../db/outbox.repo';
import type { DeliveryOutcome, OutboxRow } from '../outbox/outbox.worker';
import { inChannel, type ScheduledDeliveryDeps, slackOutcome } from '../slack/digest.delivery';
import { summaryKey } from '../slack/effects.planner';
import { classifySlackError, slackErrorCode } from '../slack/slack-errors';
import { repeatable } from '../slack/slack-idempotent';
import { postOnce } from '../slack/slack.delivery';
import { slackDate } from '../slack/summary.blocks';
import { UNARCHIVE } from './archive.job';

const closedOf = (inc: { status: string; resolved_at: string | null; cancelled_at: string | null }) => closedAt({ status: inc.status, resolvedAt: inc.resolved_at, cancelledAt: inc.cancelled_at });

/** The warning in the channel before it is archived. */
export async function deliverArchiveNotice(deps: ScheduledDeliveryDeps, row: OutboxRow): Promise<DeliveryOutcome> {
  const p = row.payload as { incidentId: string; closedAt: string; archiveAt: string };
  const inc = await findIncidentById(deps.db, row.org_id, p.incidentId);
  if (!inc?.channel_id || closedOf(inc) !== p.closedAt) return { type: 'done', result: { skipped: 'reopened or gone' } };
  const client = await deps.clientFor(row.org_id);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const channel = inc.channel_id;
  const left = duration(Date.parse(p.archiveAt) - deps.now().getTime());
  const text = `:file_cabinet: INC-${inc.number} is ${inc.status.toLowerCase()}. This channel will be archived ${slackDate(p.archiveAt)} (in about ${left}). To keep it open, reopen the incident with \`/incident status investigating\`.`;
  try {
    const ts = await inChannel(client, channel, () => postOnce(client, row.attempts > 1, { channel, text, effectId: `archive-notice:${inc.id}:${p.closedAt}` }));
    return { type: 'done', result: { ts } };
  } catch (e) {
    return slackOutcome(e);
  }
}

export async function deliverArchive(deps: ScheduledDeliveryDeps, row: OutboxRow): Promise<DeliveryOutcome> {
  const p = row.payload as { incidentId: string; closedAt: string };
  const inc = await findIncidentById(deps.db, row.org_id, p.incidentId);
  // Reopened (or closed again later, which has its own slot) since this was claimed: leave the channel.
  if (!inc?.channel_id || closedOf(inc) !== p.closedAt) return { type: 'done', result: { skipped: 'reopened or gone' } };
  const client = await deps.clientFor(row.org_id);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const channel = inc.channel_id;
  try {
    await inChannel(client, channel, () => repeatable(() => client.conversations.archive({ channel })));
    return { type: 'done', result: { archived: channel } };
  } catch (e) {
    if (slackErrorCode(e) === 'already_archived') return { type: 'done', result: { archived: channel, already: true } };
    return slackOutcome(e);
  }
}

/**
 * Reopening unarchives the channel we archived. Slack documents that bot tokens cannot currently
 * unarchive (api.slack.com/methods/conversations.unarchive, "Bug alert"); when Slack refuses, the
 * person who reopened is told to unarchive it from the channel themselves.
 */
export async function deliverUnarchive(deps: ScheduledDeliveryDeps, row: OutboxRow): Promise<DeliveryOutcome> {
  const p = row.payload as { incidentId: string; requestedBy?: string };
  const inc = await findIncidentById(deps.db, row.org_id, p.incidentId);
  if (!inc?.channel_id) return { type: 'done', result: { skipped: 'no channel' } };
  if (!(await everClaimed(deps.db, row.org_id, 'archive', inc.id))) return { type: 'done', result: { skipped: 'never archived by us' } };
  const client = await deps.clientFor(row.org_id);
  if (!client) return { type: 'failed', error: 'workspace_not_installed' };
  const channel = inc.channel_id;
  try {
    await repeatable(() => client.conversations.unarchive({ channel }));
  } catch (e) {
    const code = slackErrorCode(e);
    if (code !== 'not_archived') {
      const f = classifySlackError(e);
      if (f.kind !== 'platform') return slackOutcome(e);
      if (p.requestedBy && /^[UW][A-Z0-9]+$/.test(p.requestedBy)) {
        await client.chat
          .postMessage({ channel: p.requestedBy, text: `INC-${inc.number} is open again, but Slack would not let me unarchive <#${channel}> (${f.error}). Open the channel and choose *Unarchive* at the bottom.` })
          .catch(() => undefined);
      }
      return { type: 'done', result: { unarchived: false, error: f.error } };
    }
  }
  // The summary edit that came with the reopen may have hit the archived channel: render it again.
  await enqueueEffects(deps.db, row.org_id, inc.id, [{ kind: 'incident.sync_summary', payload: { incidentId: inc.id }, dedupeKey: summaryKey(inc.id) }], deps.now());
  return { type: 'done', result: { unarchived: channel } };
}

/** Wraps the incident effect planner: a reopen unarchives the channel before anything is posted to it. */
export function withChannelLifecycle(inner: EffectPlanner): EffectPlanner {
  return (before, after, events, now) => {
    const planned = inner(before, after, events, now);
    const reopen = events.find((e) => e.type === 'STATUS_CHANGED' && isClosed(e.from) && !isClosed(e.to));
    if (!reopen) return planned;
    return [{ kind: UNARCHIVE, payload: { incidentId: after.id, requestedBy: reopen.actor } }, ...planned];
  };
}
