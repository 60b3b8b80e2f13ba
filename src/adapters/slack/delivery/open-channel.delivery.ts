import type { WebClient } from '@slack/web-api';
import type { DeliveryOutcome } from '../../../app/effects';
import { clearChannelProblem, recordChannelProblem } from '../../db/channel-problem.repo';
import { findIncidentById } from '../../db/incident.queries';
import type { IncidentRow } from '../../db/schema';
import type { DeliveredEffect } from '../../outbox/effect-registry';
import { slackErrorCode } from '../slack-errors';
import { postOnce, repeatable } from '../slack-idempotent';
import { summaryBlocks } from '../summary.blocks';
import { catalogScope, summaryWithChanges } from '../changes/changes-summary';
import { summaryWithSlos } from '../slos/slo-summary';
import { isPrivateRow } from '../../../app/privacy.service';
import { createChannel, tellNoChannel } from './channel-create.delivery';
import { SYSTEM_ACTOR, type SlackDeliveryDeps } from './delivery.deps';
import { inviteUsers, type WorkspaceLookups } from './workspace-lookups';
import { inviteOwners, ownerInvitees } from './owner-invite';

/**
 * `incident.open_channel`: create the channel (or find our own from an uncertain try), link it, invite,
 * post and pin the summary. When no channel can be had, say so to the people involved and record why.
 */
export async function openChannel(
  deps: SlackDeliveryDeps,
  lookups: WorkspaceLookups,
  client: WebClient,
  e: DeliveredEffect<'incident.open_channel'>,
  inc: IncidentRow,
): Promise<DeliveryOutcome> {
  const retry = e.attempts > 1;
  let channelId = inc.channel_id;
  let channelName = inc.channel_name ?? '';
  const people = [
    ...new Set(
      [...e.payload.inviteUserIds, inc.commander_id, inc.comms_id, inc.scribe_id].filter((u): u is string => !!u),
    ),
  ];
  if (!channelId) {
    const priv = isPrivateRow(inc);
    const prefix = priv ? deps.config.privacy.channelPrefix : deps.config.channelPrefix;
    const opened = await createChannel(lookups, client, e, inc, prefix, { private: priv });
    if ('problem' in opened) {
      await recordChannelProblem(deps.db, {
        orgId: e.orgId,
        incidentId: inc.id,
        reason: opened.problem,
        tried: opened.tried,
        at: deps.now().toISOString(),
      });
      await tellNoChannel(client, inc, people, opened.problem, opened.tried);
      return { type: 'failed', error: `${opened.problem}: no channel after trying ${opened.tried.length} names` };
    }
    channelId = opened.channelId;
    channelName = opened.channelName;
    await deps.incidents.execute({
      orgId: e.orgId,
      incidentId: inc.id,
      actor: SYSTEM_ACTOR,
      command: { type: 'LinkChannel', channelId, channelName },
    });
    await clearChannelProblem(deps.db, e.orgId, inc.id);
  }
  if (people.length) await inviteUsers(client, channelId, people);
  // The catalog owner of the service (not for private incidents: members only).
  if (!isPrivateRow(inc)) {
    const warn = (m: string) => deps.warn?.(m, { incidentId: inc.id, service: inc.service });
    const owners = (await ownerInvitees(deps.catalog, client, inc.service, warn)).filter((u) => !people.includes(u));
    await inviteOwners((users) => inviteUsers(client, channelId, users), owners, warn);
  }
  let stale = retry && !!inc.summary_ts; // an earlier try may have recorded the ts but not finished its edit
  let summaryTs = inc.summary_ts;
  if (!summaryTs) {
    const fresh = (await findIncidentById(deps.db, e.orgId, inc.id)) ?? inc;
    const s = await summaryWithSlos(deps.db, fresh, await summaryWithChanges(deps.db, fresh, summaryBlocks(fresh), catalogScope(deps.catalog)));
    const ts = await postOnce(client, retry, {
      channel: channelId,
      text: s.text,
      blocks: s.blocks,
      effectId: `summary:${inc.id}`,
    });
    try {
      await repeatable(() => client.pins.add({ channel: channelId, timestamp: ts }));
    } catch (err) {
      if (slackErrorCode(err) !== 'already_pinned') throw err;
    }
    const recorded = await deps.incidents.execute({
      orgId: e.orgId,
      incidentId: inc.id,
      actor: SYSTEM_ACTOR,
      command: { type: 'RecordSummary', ts },
    });
    summaryTs = ts;
    // Commands that landed while we posted had their summary edit skipped (no ts yet).
    const version = (await findIncidentById(deps.db, e.orgId, inc.id))?.version ?? 0;
    stale = retry || version > fresh.version + recorded.events.length;
  }
  if (stale) {
    const latest = (await findIncidentById(deps.db, e.orgId, inc.id)) ?? inc;
    const now = await summaryWithSlos(deps.db, latest, await summaryWithChanges(deps.db, latest, summaryBlocks(latest), catalogScope(deps.catalog)));
    await repeatable(() =>
      client.chat.update({ channel: channelId, ts: summaryTs!, text: now.text, blocks: now.blocks as never }),
    );
  }
  return { type: 'done', result: { channelId, channelName } };
}
