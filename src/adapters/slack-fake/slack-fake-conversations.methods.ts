import { bool, fail, int, str } from './slack-fake.errors';
import type { MethodContext, MethodHandler } from './slack-fake.methods';
import { channelToApi, messageToApi } from './slack-fake.serialize';
import { validateChannelName } from './slack-fake.validate';
import type { FakeChannel, FakeMessage } from './slack-fake.types';

/** Resolves a channel the bot may see: private channels it isn't in look nonexistent, as in Slack. */
export function visibleChannel(ctx: MethodContext, ref: string | undefined = str(ctx.params, 'channel')): FakeChannel {
  const channel = ctx.state.resolveChannel(ctx.team, ref);
  if (channel.is_private && !channel.members.includes(ctx.team.botUserId)) fail('channel_not_found');
  return channel;
}

export function requireMember(ctx: MethodContext, channel: FakeChannel): void {
  if (!channel.members.includes(ctx.team.botUserId)) fail('not_in_channel');
}

const encodeCursor = (kind: string, value: string | number): string => Buffer.from(`${kind}:${value}`).toString('base64');

function decodeCursor(ctx: MethodContext, kind: string): string | undefined {
  const cursor = str(ctx.params, 'cursor');
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) fail('invalid_cursor');
  return decoded.slice(kind.length + 1);
}

/** Offset pagination wrapped in Slack's opaque `response_metadata.next_cursor`. */
function page<T>(ctx: MethodContext, kind: string, items: T[], defaultLimit: number): { items: T[]; next: string } {
  const limit = Math.min(Math.max(int(ctx.params, 'limit', defaultLimit) || defaultLimit, 1), 1000);
  const start = Number(decodeCursor(ctx, kind) ?? 0);
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? encodeCursor(kind, start + limit) : '';
  return { items: slice, next };
}

function notIm(channel: FakeChannel): void {
  if (channel.is_im) fail('method_not_supported_for_channel_type');
}

function join(ctx: MethodContext, channel: FakeChannel, userId: string): void {
  if (channel.members.includes(userId)) return;
  channel.members.push(userId);
  ctx.state.systemMessage(channel, 'channel_join', userId, `<@${userId}> has joined the channel`);
}

/** Message timestamps in order: seconds, then micros (as numbers the sum would lose the last digits). */
function byTs(a: string, b: string): number {
  const [as, am = '0'] = a.split('.');
  const [bs, bm = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(am.padEnd(6, '0')) - Number(bm.padEnd(6, '0'));
}

function topLevel(m: FakeMessage): boolean {
  return m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast';
}

/** latest/oldest/inclusive window used by history and replies. */
function inWindow(ctx: MethodContext, ts: string): boolean {
  const latest = str(ctx.params, 'latest');
  const oldest = str(ctx.params, 'oldest');
  const inclusive = bool(ctx.params, 'inclusive');
  const t = Number(ts);
  if (latest !== undefined && latest !== '' && (inclusive ? t > Number(latest) : t >= Number(latest))) return false;
  if (oldest !== undefined && oldest !== '' && (inclusive ? t < Number(oldest) : t <= Number(oldest))) return false;
  return true;
}

export const conversationMethods: Record<string, MethodHandler> = {
  'conversations.create': (ctx) => {
    const name = validateChannelName(str(ctx.params, 'name'));
    // Archived channels keep their names reserved, so search every channel.
    if (ctx.state.findChannelByName(name, ctx.team.id)) fail('name_taken');
    const channel = ctx.state.addChannel(ctx.team.id, { name, isPrivate: bool(ctx.params, 'is_private') });
    return { channel: channelToApi(channel, ctx.team.botUserId) };
  },

  'conversations.invite': (ctx) => {
    const channel = visibleChannel(ctx);
    notIm(channel);
    if (channel.is_archived) fail('is_archived');
    requireMember(ctx, channel);
    const ids = (str(ctx.params, 'users') ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    if (ids.length === 0) fail('no_user');
    if (ids.length > 1000) fail('too_many_users');
    for (const id of ids) {
      if (id === ctx.team.botUserId) fail('cant_invite_self');
      if (!ctx.state.user(ctx.team, id)) fail('user_not_found');
    }
    const fresh = [...new Set(ids)].filter((id) => !channel.members.includes(id));
    if (fresh.length === 0) fail('already_in_channel');
    for (const id of fresh) join(ctx, channel, id);
    return { channel: channelToApi(channel, ctx.team.botUserId) };
  },

  'conversations.kick': (ctx) => {
    const channel = visibleChannel(ctx);
    notIm(channel);
    requireMember(ctx, channel);
    const user = str(ctx.params, 'user');
    if (user === ctx.team.botUserId) fail('cant_kick_self');
    if (user === undefined || !ctx.state.user(ctx.team, user)) fail('user_not_found');
    if (!channel.members.includes(user)) fail('not_in_channel');
    channel.members = channel.members.filter((m) => m !== user);
    ctx.state.systemMessage(channel, 'channel_leave', user, `<@${user}> has left the channel`);
    return {};
  },

  'conversations.join': (ctx) => {
    const channel = visibleChannel(ctx);
    if (channel.is_private || channel.is_im) fail('method_not_supported_for_channel_type');
    if (channel.is_archived) fail('is_archived');
    const already = channel.members.includes(ctx.team.botUserId);
    join(ctx, channel, ctx.team.botUserId);
    const body: Record<string, unknown> = { channel: channelToApi(channel, ctx.team.botUserId) };
    if (already) Object.assign(body, { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } });
    return body;
  },

  'conversations.open': (ctx) => {
    const direct = str(ctx.params, 'channel');
    if (direct) return { channel: channelToApi(visibleChannel(ctx, direct), ctx.team.botUserId) };
    const ids = (str(ctx.params, 'users') ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    if (ids.length === 0) fail('users_list_not_supplied');
    if (ids.length > 1) fail('not_implemented', ['[ERROR] the fake only opens 1:1 DMs']);
    if (!ctx.state.user(ctx.team, ids[0])) fail('user_not_found');
    const existed = [...ctx.team.channels.values()].some((c) => c.is_im && c.imUser === ids[0]);
    const im = ctx.state.imWith(ctx.team, ids[0]);
    return { no_op: existed, already_open: existed, channel: channelToApi(im, ctx.team.botUserId) };
  },

  'conversations.info': (ctx) => ({ channel: channelToApi(visibleChannel(ctx), ctx.team.botUserId) }),

  'conversations.list': (ctx) => {
    const types = new Set((str(ctx.params, 'types') ?? 'public_channel').split(',').map((t) => t.trim()));
    const excludeArchived = bool(ctx.params, 'exclude_archived');
    const bot = ctx.team.botUserId;
    const all = [...ctx.team.channels.values()].filter((c) => {
      if (excludeArchived && c.is_archived) return false;
      if (c.is_im) return types.has('im');
      if (c.is_private) return types.has('private_channel') && c.members.includes(bot);
      return types.has('public_channel');
    });
    const { items, next } = page(ctx, 'list', all, 100);
    return { channels: items.map((c) => channelToApi(c, bot)), response_metadata: { next_cursor: next } };
  },

  'conversations.members': (ctx) => {
    const channel = visibleChannel(ctx);
    const { items, next } = page(ctx, 'members', channel.members, 100);
    return { members: items, response_metadata: { next_cursor: next } };
  },

  'conversations.archive': (ctx) => {
    const channel = visibleChannel(ctx);
    notIm(channel);
    if (channel.is_archived) fail('already_archived');
    requireMember(ctx, channel);
    ctx.state.systemMessage(channel, 'channel_archive', ctx.team.botUserId, 'archived the channel');
    channel.is_archived = true;
    return {};
  },

  'conversations.unarchive': (ctx) => {
    const channel = visibleChannel(ctx);
    notIm(channel);
    if (!channel.is_archived) fail('not_archived');
    channel.is_archived = false;
    ctx.state.systemMessage(channel, 'channel_unarchive', ctx.team.botUserId, 'un-archived the channel');
    return {};
  },

  'conversations.rename': (ctx) => {
    const channel = visibleChannel(ctx);
    notIm(channel);
    requireMember(ctx, channel);
    const name = validateChannelName(str(ctx.params, 'name'));
    const holder = ctx.state.findChannelByName(name, ctx.team.id);
    if (holder && holder.id !== channel.id) fail('name_taken');
    channel.name = name;
    return { channel: channelToApi(channel, ctx.team.botUserId) };
  },

  'conversations.setTopic': (ctx) => setText(ctx, 'topic'),
  'conversations.setPurpose': (ctx) => setText(ctx, 'purpose'),

  'conversations.history': (ctx) => {
    const channel = visibleChannel(ctx);
    requireMember(ctx, channel);
    const withMeta = bool(ctx.params, 'include_all_metadata');
    // Slack orders by ts, not by arrival (a seeded or imported message may be older than the last post).
    const newestFirst = channel.messages
      .filter((m) => topLevel(m) && inWindow(ctx, m.ts))
      .sort((a, b) => byTs(b.ts, a.ts));
    const { items, next } = page(ctx, 'history', newestFirst, 100);
    return {
      messages: items.map((m) => messageToApi(m, withMeta)),
      has_more: next !== '',
      pin_count: channel.pins.length,
      response_metadata: { next_cursor: next },
    };
  },

  'conversations.replies': (ctx) => {
    const channel = visibleChannel(ctx);
    requireMember(ctx, channel);
    const msg = ctx.state.findMessage(channel, str(ctx.params, 'ts'));
    if (!msg) fail('thread_not_found');
    const root = msg.thread_ts ?? msg.ts;
    const withMeta = bool(ctx.params, 'include_all_metadata');
    const thread = channel.messages
      .filter((m) => (m.ts === root || m.thread_ts === root) && inWindow(ctx, m.ts))
      .sort((a, b) => byTs(a.ts, b.ts));
    const { items, next } = page(ctx, 'replies', thread, 1000);
    return {
      messages: items.map((m) => messageToApi(m, withMeta)),
      has_more: next !== '',
      response_metadata: { next_cursor: next },
    };
  },
};

function setText(ctx: MethodContext, field: 'topic' | 'purpose'): Record<string, unknown> {
  const channel = visibleChannel(ctx);
  if (channel.is_archived) fail('is_archived');
  requireMember(ctx, channel);
  const value = str(ctx.params, field) ?? '';
  if (value.length > 250) fail('too_long');
  channel[field] = { value, creator: ctx.team.botUserId, last_set: ctx.state.nowSec() };
  ctx.state.systemMessage(channel, `channel_${field}`, ctx.team.botUserId, `set the channel ${field}: ${value}`);
  return { channel: channelToApi(channel, ctx.team.botUserId) };
}
