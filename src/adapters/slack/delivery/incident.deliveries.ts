import type { WebClient } from '@slack/web-api';
import type { DeliveryOutcome, EffectKind } from '../../../app/effects';
import { findIncidentById } from '../../db/incident.queries';
import type { IncidentRow } from '../../db/schema';
import type { Deliver, DeliveredEffect, DelivererRegistry } from '../../outbox/effect-registry';
import { inChannel, postOnce, repeatable, slackOutcome } from '../slack-idempotent';
import { summaryBlocks } from '../summary.blocks';
import { catalogScope, summaryWithChanges } from '../changes/changes-summary';
import { summaryWithSlos } from '../slos/slo-summary';
import type { SlackDeliveryDeps } from './delivery.deps';
import { openChannel } from './open-channel.delivery';
import { signalRollup } from './signal-rollup.delivery';
import { createWorkspaceLookups, inviteUsers } from './workspace-lookups';

type IncidentKind =
  | 'incident.open_channel'
  | 'incident.sync_summary'
  | 'incident.signal_rollup'
  | 'slack.post'
  | 'slack.invite'
  | 'slack.announce';
type WithIncident<K extends IncidentKind> = (
  client: WebClient,
  e: DeliveredEffect<K>,
  inc: IncidentRow,
) => Promise<DeliveryOutcome>;

/** The effects of an incident's channel, delivered with the workspace's client and the incident as it is now. */
export function createIncidentDeliveries(deps: SlackDeliveryDeps): Pick<DelivererRegistry, IncidentKind> {
  const lookups = createWorkspaceLookups(deps.db);

  function withIncident<K extends IncidentKind & EffectKind>(fn: WithIncident<K>): Deliver<K> {
    return async (e) => {
      const client = await deps.clientFor(e.orgId);
      if (!client) return { type: 'failed', error: 'workspace_not_installed' };
      const inc = await findIncidentById(deps.db, e.orgId, e.payload.incidentId);
      if (!inc) return { type: 'failed', error: 'incident_not_found' };
      try {
        return await fn(client, e, inc);
      } catch (err) {
        return slackOutcome(err);
      }
    };
  }

  return {
    'incident.open_channel': withIncident((client, e, inc) => openChannel(deps, lookups, client, e, inc)),
    'incident.sync_summary': withIncident(async (client, _e, inc) => {
      if (!inc.channel_id || !inc.summary_ts) return { type: 'done', result: { skipped: 'no summary yet' } };
      const s = await summaryWithSlos(deps.db, inc, await summaryWithChanges(deps.db, inc, summaryBlocks(inc), catalogScope(deps.catalog)));
      await repeatable(() =>
        client.chat.update({ channel: inc.channel_id!, ts: inc.summary_ts!, text: s.text, blocks: s.blocks as never }),
      );
      return { type: 'done' };
    }),
    'slack.post': withIncident(async (client, e, inc) => {
      if (!inc.channel_id) return { type: 'retry', error: 'channel not open yet' };
      const ch = inc.channel_id;
      // `thread: 'summary'` (guidance): a long answer goes under the pinned summary, not into the channel.
      const threadTs = e.payload.thread === 'summary' ? (inc.summary_ts ?? undefined) : undefined;
      if (e.payload.thread === 'summary' && !threadTs)
        return { type: 'retry', afterMs: 2000, error: 'summary not posted yet' };
      const post = {
        channel: ch,
        text: e.payload.text,
        blocks: e.payload.blocks,
        thread_ts: threadTs,
        effectId: String(e.id),
      };
      const ts = await inChannel(client, ch, () => postOnce(client, e.attempts > 1, post));
      return { type: 'done', result: { ts } };
    }),
    'slack.invite': withIncident(async (client, e, inc) => {
      if (!inc.channel_id) return { type: 'retry', error: 'channel not open yet' };
      await inviteUsers(client, inc.channel_id, e.payload.userIds);
      return { type: 'done' };
    }),
    'slack.announce': withIncident(async (client, e, inc) => {
      const channel = await lookups.channelIdFor(client, e.orgId, e.payload.channel);
      const link = e.payload.withChannelLink && inc.channel_id ? ` in <#${inc.channel_id}>` : '';
      const text = `${e.payload.text}${link}`;
      const ts = await inChannel(client, channel, () =>
        postOnce(client, e.attempts > 1, { channel, text, effectId: String(e.id) }),
      );
      // Where it went is kept: making the incident private later edits this copy to a neutral text.
      return { type: 'done', result: { ts, channel } };
    }),
    'incident.signal_rollup': withIncident((client, e, inc) => signalRollup(deps.db, client, e, inc)),
  };
}
