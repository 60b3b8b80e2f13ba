import type { WebClient } from '@slack/web-api';
import type { DeliveryOutcome } from '../../../app/effects';
import { findIncidentById } from '../../db/incident.queries';
import { adminsOf, membersOf, postedAnnouncements } from '../../db/privacy.repo';
import { loadEvents } from '../../db/event-store';
import type { IncidentRow } from '../../db/schema';
import type { Deliver, DeliveredEffect, DelivererRegistry } from '../../outbox/effect-registry';
import { slackErrorCode } from '../slack-errors';
import { repeatable, slackOutcome } from '../slack-idempotent';
import { createChannel } from '../delivery/channel-create.delivery';
import { SYSTEM_ACTOR, type SlackDeliveryDeps } from '../delivery/delivery.deps';
import { createWorkspaceLookups, inviteUsers } from '../delivery/workspace-lookups';
import { summaryBlocks } from '../summary.blocks';
import { accessRequestMessage, decisionText } from './privacy.blocks';
import { NEUTRAL_EDITED_ANNOUNCEMENT } from './privacy.planner';

type Kind = 'privacy.access_request' | 'privacy.access_decided' | 'privacy.make_private';

/** Deliverers of the private-incident effects (registered in slack.deliveries.ts). */
export function createPrivacyDeliveries(deps: SlackDeliveryDeps): Pick<DelivererRegistry, Kind> {
  const lookups = createWorkspaceLookups(deps.db);
  const withIncident =
    <K extends Kind>(fn: (client: WebClient, e: DeliveredEffect<K>, inc: IncidentRow) => Promise<DeliveryOutcome>): Deliver<K> =>
    async (e) => {
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

  const dm = (client: WebClient, user: string, msg: { text: string; blocks?: unknown[] }) =>
    repeatable(() => client.chat.postMessage({ channel: user, text: msg.text, blocks: msg.blocks as never }));

  return {
    // The commander decides; without one, every admin is asked (the first decision wins, the others are refused).
    'privacy.access_request': withIncident(async (client, e, inc) => {
      const to = inc.commander_id ? [inc.commander_id] : await adminsOf(deps.db, e.orgId, deps.config.adminUserIds);
      const msg = accessRequestMessage({ ...e.payload, number: inc.number, title: inc.title });
      for (const user of to.filter((x) => x !== e.payload.userId)) await dm(client, user, msg);
      return { type: 'done', result: { notified: to } };
    }),
    'privacy.access_decided': withIncident(async (client, e, inc) => {
      const p = e.payload;
      await dm(client, p.userId, { text: decisionText(inc.number, p.decision, p.by, inc.channel_id) });
      return { type: 'done' };
    }),
    'privacy.make_private': withIncident((client, e, inc) => movePrivate(deps, lookups, client, e, inc)),
  };
}

/**
 * Slack cannot turn a public channel private, so (as incident.io does) a new private channel is opened, the
 * members are invited, the summary is pinned there, and the old public channel gets a pointer, a neutral name
 * and is archived. Announcements already posted are edited to a neutral line. Retries redo only what is missing:
 * the old and new channels are read from the log (the links before and after INCIDENT_MADE_PRIVATE).
 */
async function movePrivate(
  deps: SlackDeliveryDeps,
  lookups: ReturnType<typeof createWorkspaceLookups>,
  client: WebClient,
  e: DeliveredEffect<'privacy.make_private'>,
  inc: IncidentRow,
): Promise<DeliveryOutcome> {
  const events = await loadEvents(deps.db, e.orgId, inc.id);
  const madeAt = events.find((x) => x.type === 'INCIDENT_MADE_PRIVATE')?.seq ?? Infinity;
  const links = events.filter((x) => x.type === 'CHANNEL_LINKED');
  const old = links.filter((x) => x.seq < madeAt).at(-1);
  const linked = links.find((x) => x.seq > madeAt);
  let channelId = linked?.type === 'CHANNEL_LINKED' ? linked.channelId : (inc.channel_id ?? undefined);
  const members = [...new Set([...e.payload.members, ...(await membersOf(deps.db, e.orgId, inc.id))])];
  if (!linked && old) {
    const opened = await createChannel(lookups, client, e, inc, deps.config.privacy.channelPrefix, { private: true });
    if ('problem' in opened) return { type: 'failed', error: `${opened.problem}: no private channel` };
    await deps.incidents.execute({
      orgId: e.orgId,
      incidentId: inc.id,
      actor: SYSTEM_ACTOR,
      command: { type: 'LinkChannel', ...opened },
    });
    channelId = opened.channelId;
  }
  if (!channelId) return { type: 'done', result: { skipped: 'no channel yet' } };
  const people = members.filter((m) => /^[UW][A-Z0-9]+$/.test(m));
  if (people.length) await inviteUsers(client, channelId, people);
  if (old && old.type === 'CHANNEL_LINKED' && old.channelId !== channelId) {
    const summaries = events.filter((x) => x.type === 'SUMMARY_POSTED');
    // A retry after the new summary was recorded does not post a second one.
    if (!summaries.some((x) => x.seq > madeAt)) await pinSummary(deps, client, e.orgId, inc.id, channelId);
    const oldSummary = summaries.filter((x) => x.seq < madeAt).at(-1);
    const oldTs = oldSummary?.type === 'SUMMARY_POSTED' ? oldSummary.ts : undefined;
    await retireOldChannel(client, old.channelId, `${deps.config.privacy.channelPrefix}-${inc.number}-moved`, oldTs);
  }
  for (const a of await postedAnnouncements(deps.db, e.orgId, inc.id)) {
    await repeatable(() => client.chat.update({ channel: a.channel, ts: a.ts, text: NEUTRAL_EDITED_ANNOUNCEMENT, blocks: [] }))
      .catch((err: unknown) => {
        if (slackErrorCode(err) !== 'message_not_found') throw err;
      });
  }
  return { type: 'done', result: { channelId } };
}

async function pinSummary(deps: SlackDeliveryDeps, client: WebClient, orgId: string, incidentId: string, channel: string) {
  const latest = await findIncidentById(deps.db, orgId, incidentId);
  if (!latest) return;
  const s = summaryBlocks(latest);
  const posted = await repeatable(() => client.chat.postMessage({ channel, text: s.text, blocks: s.blocks as never }));
  if (!posted.ts) return;
  await repeatable(() => client.pins.add({ channel, timestamp: posted.ts! })).catch(() => undefined);
  await deps.incidents.execute({ orgId, incidentId, actor: SYSTEM_ACTOR, command: { type: 'RecordSummary', ts: posted.ts } });
}

/**
 * The old public channel: its pinned summary edited to a neutral line, a pointer, a name without the title, then
 * archived. Slack keeps the rest of its history readable (README says so): bots cannot delete a channel.
 */
async function retireOldChannel(client: WebClient, channel: string, neutralName: string, summaryTs?: string) {
  const tolerate = (codes: string[]) => (err: unknown) => {
    if (!codes.includes(slackErrorCode(err) ?? '')) throw err;
  };
  if (summaryTs) {
    await repeatable(() => client.chat.update({ channel, ts: summaryTs, text: NEUTRAL_EDITED_ANNOUNCEMENT, blocks: [] })).catch(
      tolerate(['message_not_found', 'is_archived', 'channel_not_found', 'cant_update_message']),
    );
  }
  await repeatable(() =>
    client.chat.postMessage({
      channel,
      text: ':lock: This incident was made private and continues in a private channel. Ask its commander for access.',
    }),
  ).catch(tolerate(['is_archived', 'channel_not_found']));
  await repeatable(() => client.conversations.rename({ channel, name: neutralName })).catch(
    tolerate(['is_archived', 'name_taken', 'channel_not_found']),
  );
  await repeatable(() => client.conversations.archive({ channel })).catch(tolerate(['already_archived', 'channel_not_found']));
}
