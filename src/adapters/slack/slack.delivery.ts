import type { WebClient } from '@slack/web-api';
import type { IncidentService } from '../../app/incident.service';
import { incidentChannelName } from '../../incidents/channel-name';
import { findIncidentById } from '../db/incident.queries';
import type { DB, IncidentRow } from '../db/schema';
import { type Deliver, type DeliveryOutcome, type OutboxRow } from '../outbox/outbox.worker';
import { classifySlackError, slackErrorCode } from './slack-errors';
import { findChannelByName, inChannel, postOnce, repeatable, slackOutcome } from './slack-idempotent';
import { summaryBlocks } from './summary.blocks';

export interface SlackDeliveryDeps {
  db: DB;
  incidents: IncidentService;
  /** The bot's client for a workspace; undefined when the workspace uninstalled us. */
  clientFor: (orgId: string) => Promise<WebClient | undefined>;
  channelPrefix: string;
  /** Extra effect kinds from feature areas (digests, postmortems…). */
  extra?: Record<string, Deliver>;
}

// Feature deliveries import these from here.
export { findChannelByName, postOnce } from './slack-idempotent';

const SYSTEM = { kind: 'system' as const, id: 'revenant', role: 'admin' as const };


export function createSlackDelivery(deps: SlackDeliveryDeps): Deliver {
  // Per delivery instance: two workspaces (or two fakes in one test run) never share a cached bot id.
  const botIds = new Map<string, string>();
  async function botUserId(client: WebClient, orgId: string): Promise<string> {
    const known = botIds.get(orgId);
    if (known) return known;
    const auth = await repeatable(() => client.auth.test());
    botIds.set(orgId, auth.user_id as string);
    return auth.user_id as string;
  }

  /**
   * On a retry, a taken name may be our own channel from a try whose answer we never recorded: reuse it
   * when the bot created it and no other incident holds it (the name carries the incident number).
   */
  async function ownChannelNamed(client: WebClient, orgId: string, incidentId: string, name: string) {
    const prior = await findChannelByName(client, name);
    if (!prior?.id || prior.creator !== (await botUserId(client, orgId))) return undefined;
    const holder = await deps.db.selectFrom('incidents').select('id').where('org_id', '=', orgId).where('channel_id', '=', prior.id).executeTakeFirst();
    return holder && holder.id !== incidentId ? undefined : prior.id;
  }

  // ANNOUNCE_CHANNEL may be a name; history, join and retries need the id.
  const channelIds = new Map<string, string>();
  async function channelIdFor(client: WebClient, orgId: string, ref: string): Promise<string> {
    if (/^[CG][A-Z0-9]{6,}$/.test(ref)) return ref;
    const key = `${orgId}/${ref}`;
    const known = channelIds.get(key);
    if (known) return known;
    const found = await findChannelByName(client, ref.replace(/^#/, ''));
    if (!found?.id) return ref; // Slack will answer channel_not_found, surfaced with a hint
    channelIds.set(key, found.id);
    return found.id;
  }

  async function openChannel(client: WebClient, row: OutboxRow, inc: IncidentRow): Promise<DeliveryOutcome> {
    const retry = row.attempts > 1;
    let channelId = inc.channel_id;
    let channelName = inc.channel_name ?? '';
    if (!channelId) {
      // After a try whose outcome we never learned, a taken name may be our own channel.
      let uncertain = retry;
      for (let attempt = 0; attempt < 10 && !channelId; attempt++) {
        const name = incidentChannelName(deps.channelPrefix, inc.number, inc.title, attempt);
        for (let tried = 1; !channelId; tried++) {
          try {
            const res = await client.conversations.create({ name });
            channelId = res.channel?.id ?? null;
            channelName = name;
          } catch (e) {
            if (slackErrorCode(e) === 'name_taken') {
              const own = uncertain ? await ownChannelNamed(client, row.org_id, inc.id, name) : undefined;
              if (own) {
                channelId = own;
                channelName = name;
              }
              break; // otherwise someone else's channel has the name: try the next suffix
            }
            // A channel name is unique, so trying again at once cannot make a second one.
            if (tried >= 3 || classifySlackError(e).kind === 'platform') throw e;
            uncertain = true;
            await new Promise((r) => setTimeout(r, 100 * tried));
          }
        }
      }
      if (!channelId) return { type: 'failed', error: 'name_taken: no free channel name after 10 tries' };
      await deps.incidents.execute({ orgId: row.org_id, incidentId: inc.id, actor: SYSTEM, command: { type: 'LinkChannel', channelId, channelName } });
    }
    const invite = [...new Set([...((row.payload.inviteUserIds as string[]) ?? []), inc.commander_id, inc.comms_id, inc.scribe_id].filter((u): u is string => !!u))];
    if (invite.length) await inviteUsers(client, channelId, invite);
    let stale = retry && !!inc.summary_ts; // an earlier try may have recorded the ts but not finished its edit
    let summaryTs = inc.summary_ts;
    if (!summaryTs) {
      const fresh = (await findIncidentById(deps.db, row.org_id, inc.id)) ?? inc;
      const s = summaryBlocks(fresh);
      const ts = await postOnce(client, retry, { channel: channelId, text: s.text, blocks: s.blocks, effectId: `summary:${inc.id}` });
      try {
        await repeatable(() => client.pins.add({ channel: channelId, timestamp: ts }));
      } catch (e) {
        if (slackErrorCode(e) !== 'already_pinned') throw e;
      }
      const recorded = await deps.incidents.execute({ orgId: row.org_id, incidentId: inc.id, actor: SYSTEM, command: { type: 'RecordSummary', ts } });
      summaryTs = ts;
      // Commands that landed while we posted had their summary edit skipped (no ts yet).
      const version = (await findIncidentById(deps.db, row.org_id, inc.id))?.version ?? 0;
      stale = retry || version > fresh.version + recorded.events.length;
    }
    if (stale) {
      const latest = (await findIncidentById(deps.db, row.org_id, inc.id)) ?? inc;
      const now = summaryBlocks(latest);
      await repeatable(() => client.chat.update({ channel: channelId, ts: summaryTs!, text: now.text, blocks: now.blocks as never }));
    }
    return { type: 'done', result: { channelId, channelName } };
  }

  async function inviteUsers(client: WebClient, channel: string, users: string[]) {
    try {
      await repeatable(() => client.conversations.invite({ channel, users: users.join(',') }));
    } catch (e) {
      const code = slackErrorCode(e);
      if (code === 'already_in_channel' || code === 'cant_invite_self') return;
      if (code === 'not_in_channel') {
        await repeatable(() => client.conversations.join({ channel }));
        return inviteUsers(client, channel, users);
      }
      throw e;
    }
  }

  return async (row) => {
    if (deps.extra?.[row.kind]) return deps.extra[row.kind](row);
    const client = await deps.clientFor(row.org_id);
    if (!client) return { type: 'failed', error: 'workspace_not_installed' };
    const incidentId = row.payload.incidentId as string | undefined;
    const inc = incidentId ? await findIncidentById(deps.db, row.org_id, incidentId) : undefined;
    if (incidentId && !inc) return { type: 'failed', error: 'incident_not_found' };
    try {
      switch (row.kind) {
        case 'incident.open_channel':
          return await openChannel(client, row, inc!);
        case 'incident.sync_summary': {
          if (!inc!.channel_id || !inc!.summary_ts) return { type: 'done', result: { skipped: 'no summary yet' } };
          const s = summaryBlocks(inc!);
          await repeatable(() => client.chat.update({ channel: inc!.channel_id!, ts: inc!.summary_ts!, text: s.text, blocks: s.blocks as never }));
          return { type: 'done' };
        }
        case 'slack.post': {
          if (!inc!.channel_id) return { type: 'retry', error: 'channel not open yet' };
          const ch = inc!.channel_id;
          // `thread: 'summary'` (guidance): a long answer goes under the pinned summary, not into the channel.
          const threadTs = row.payload.thread === 'summary' ? (inc!.summary_ts ?? undefined) : undefined;
          if (row.payload.thread === 'summary' && !threadTs) return { type: 'retry', afterMs: 2000, error: 'summary not posted yet' };
          const ts = await inChannel(client, ch, () =>
            postOnce(client, row.attempts > 1, { channel: ch, text: row.payload.text as string, blocks: row.payload.blocks as unknown[] | undefined, thread_ts: threadTs, effectId: String(row.id) }),
          );
          return { type: 'done', result: { ts: ts as string } };
        }
        case 'slack.invite':
          if (!inc!.channel_id) return { type: 'retry', error: 'channel not open yet' };
          await inviteUsers(client, inc!.channel_id, row.payload.userIds as string[]);
          return { type: 'done' };
        case 'slack.announce': {
          const channel = await channelIdFor(client, row.org_id, row.payload.channel as string);
          const link = row.payload.withChannelLink && inc?.channel_id ? ` in <#${inc.channel_id}>` : '';
          const ts = await inChannel(client, channel, () => postOnce(client, row.attempts > 1, { channel, text: `${row.payload.text as string}${link}`, effectId: String(row.id) }));
          return { type: 'done', result: { ts: ts as string } };
        }
        case 'incident.signal_rollup':
          return await signalRollup(deps, client, row, inc!);
        default:
          return { type: 'failed', error: `no handler for effect kind ${row.kind}` };
      }
    } catch (e) {
      return slackOutcome(e);
    }
  };
}

/** One threaded message under the summary, edited as signals pile up, instead of a message per alert. */
async function signalRollup(deps: SlackDeliveryDeps, client: WebClient, row: OutboxRow, inc: IncidentRow): Promise<DeliveryOutcome> {
  if (!inc.channel_id || !inc.summary_ts) return { type: 'retry', afterMs: 2000, error: 'summary not posted yet' };
  const signals = await deps.db
    .selectFrom('incident_signals')
    .select(['title', 'service', 'environment', 'status', 'source'])
    .where('org_id', '=', row.org_id)
    .where('incident_id', '=', inc.id)
    .orderBy('last_seen_at', 'desc')
    .limit(10)
    .execute();
  const lines = signals.map((s) => `• ${s.status === 'firing' ? ':red_circle:' : ':large_green_circle:'} ${s.title} (${s.service}/${s.environment}, ${s.source})`);
  const text = `*${inc.signal_count} signals* on this incident (${inc.open_signal_count} firing). Latest:\n${lines.join('\n')}`.slice(0, 2900);
  const prev = await deps.db
    .selectFrom('outbox')
    .select('result')
    .where('incident_id', '=', inc.id)
    .where('kind', '=', 'incident.signal_rollup')
    .where('status', '=', 'done')
    .where('result', 'is not', null)
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  // Superseded rows carry no ts: look past them to the message we actually posted.
  const prevTs = prev.map((p) => JSON.parse(p.result as string).ts as string | undefined).find(Boolean);
  if (prevTs) {
    await repeatable(() => client.chat.update({ channel: inc.channel_id!, ts: prevTs, text }));
    return { type: 'done', result: { ts: prevTs } };
  }
  const ts = await postOnce(client, row.attempts > 1, { channel: inc.channel_id, text, thread_ts: inc.summary_ts, effectId: `rollup:${inc.id}` });
  return { type: 'done', result: { ts } };
}
