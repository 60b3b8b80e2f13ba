import type { WebClient } from '@slack/web-api';
import type { DB } from '../../db/schema';
import { slackErrorCode } from '../slack-errors';
import { findChannelByName, repeatable } from '../slack-idempotent';

/**
 * Lookups a deliverer repeats per workspace, cached per delivery instance: two workspaces (or two
 * fakes in one test run) never share a cached bot id or channel id.
 */
export function createWorkspaceLookups(db: DB) {
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
    const holder = await db
      .selectFrom('incidents')
      .select('id')
      .where('org_id', '=', orgId)
      .where('channel_id', '=', prior.id)
      .executeTakeFirst();
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

  return { botUserId, ownChannelNamed, channelIdFor };
}

export type WorkspaceLookups = ReturnType<typeof createWorkspaceLookups>;

/** Invite users; joins first when the bot is not in the channel. Already-present users are fine. */
export async function inviteUsers(client: WebClient, channel: string, users: string[]): Promise<void> {
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
