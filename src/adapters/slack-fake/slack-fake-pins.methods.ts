import { requireMember, visibleChannel } from './slack-fake-conversations.methods';
import { fail, str } from './slack-fake.errors';
import type { MethodContext, MethodHandler } from './slack-fake.methods';
import { messageToApi } from './slack-fake.serialize';
import type { FakeChannel, FakeMessage } from './slack-fake.types';

/** pins.* and reactions.* both address a message by channel + timestamp. */
function target(ctx: MethodContext): { channel: FakeChannel; message: FakeMessage } {
  const channel = visibleChannel(ctx);
  const ts = str(ctx.params, 'timestamp');
  if (ts === undefined || ts === '') fail('no_item_specified');
  const message = ctx.state.findMessage(channel, ts);
  if (!message) fail('message_not_found');
  return { channel, message };
}

/** Slack wants the bare emoji name; `:fire:` is rejected. */
function emojiName(ctx: MethodContext): string {
  const name = str(ctx.params, 'name');
  if (name === undefined || name === '') fail('invalid_name');
  if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) fail('invalid_name');
  return name;
}

export const pinMethods: Record<string, MethodHandler> = {
  'pins.add': (ctx) => {
    const { channel, message } = target(ctx);
    if (channel.is_archived) fail('is_archived');
    requireMember(ctx, channel);
    if (channel.pins.some((p) => p.ts === message.ts)) fail('already_pinned');
    channel.pins.push({ ts: message.ts, created: ctx.state.nowSec(), created_by: ctx.team.botUserId });
    message.pinned_to = [...new Set([...(message.pinned_to ?? []), channel.id])];
    return {};
  },

  'pins.remove': (ctx) => {
    const { channel, message } = target(ctx);
    requireMember(ctx, channel);
    if (!channel.pins.some((p) => p.ts === message.ts)) fail('no_pin');
    channel.pins = channel.pins.filter((p) => p.ts !== message.ts);
    message.pinned_to = (message.pinned_to ?? []).filter((c) => c !== channel.id);
    if (message.pinned_to.length === 0) delete message.pinned_to;
    return {};
  },

  'pins.list': (ctx) => {
    const channel = visibleChannel(ctx);
    const items = [...channel.pins].reverse().flatMap((p) => {
      const message = ctx.state.findMessage(channel, p.ts);
      return message
        ? [{ type: 'message', created: p.created, created_by: p.created_by, channel: channel.id, message: messageToApi(message) }]
        : [];
    });
    return { items };
  },

  'reactions.add': (ctx) => {
    const { channel, message } = target(ctx);
    if (channel.is_archived) fail('is_archived');
    const name = emojiName(ctx);
    const me = ctx.team.botUserId;
    const reactions = (message.reactions ??= []);
    const existing = reactions.find((r) => r.name === name);
    if (existing?.users.includes(me)) fail('already_reacted');
    if (existing) {
      existing.users.push(me);
      existing.count += 1;
    } else {
      if (reactions.length >= 50) fail('too_many_emoji');
      reactions.push({ name, users: [me], count: 1 });
    }
    return {};
  },

  'reactions.remove': (ctx) => {
    const { message } = target(ctx);
    const name = emojiName(ctx);
    const me = ctx.team.botUserId;
    const existing = message.reactions?.find((r) => r.name === name);
    if (!existing || !existing.users.includes(me)) fail('no_reaction');
    existing.users = existing.users.filter((u) => u !== me);
    existing.count -= 1;
    message.reactions = message.reactions?.filter((r) => r.count > 0);
    if (message.reactions?.length === 0) delete message.reactions;
    return {};
  },

  'reactions.get': (ctx) => {
    const { channel, message } = target(ctx);
    return { type: 'message', channel: channel.id, message: messageToApi(message) };
  },
};
