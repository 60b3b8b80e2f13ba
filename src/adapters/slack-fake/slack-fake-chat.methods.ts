import { createHash } from 'node:crypto';
import { requireMember, visibleChannel } from './slack-fake-conversations.methods';
import { bool, fail, isRecord, json, str } from './slack-fake.errors';
import type { MethodContext, MethodHandler } from './slack-fake.methods';
import { messageToApi } from './slack-fake.serialize';
import { assertMessageBlocks } from './slack-fake.validate';
import type { FakeChannel, FakeMessage } from './slack-fake.types';

const MAX_TEXT = 40_000;

/** chat.postMessage also accepts a user id and then posts into the bot's DM with that user. */
function targetChannel(ctx: MethodContext): FakeChannel {
  const ref = str(ctx.params, 'channel');
  if (ref !== undefined && /^[UW][A-Z0-9]+$/.test(ref) && !ctx.team.channels.has(ref)) {
    if (!ctx.state.user(ctx.team, ref)) fail('channel_not_found');
    return ctx.state.imWith(ctx.team, ref);
  }
  return visibleChannel(ctx, ref);
}

function writableChannel(ctx: MethodContext, channel: FakeChannel): void {
  if (channel.is_archived) fail('is_archived');
  requireMember(ctx, channel);
}

/** Slack fills in missing block_id/action_id; derive them from content so runs stay reproducible. */
function withGeneratedIds(blocks: unknown[], salt: string): unknown[] {
  const id = (path: string): string => createHash('sha1').update(`${salt}:${path}`).digest('base64url').slice(0, 5);
  return blocks.map((raw, i) => {
    if (!isRecord(raw)) return raw;
    const block: Record<string, unknown> = structuredClone(raw);
    block.block_id ??= id(`b${i}`);
    const fill = (el: unknown, path: string): void => {
      if (isRecord(el) && el.type !== 'image' && el.action_id === undefined && typeof el.type === 'string') el.action_id = id(path);
    };
    if (Array.isArray(block.elements) && block.type === 'actions') block.elements.forEach((el, j) => fill(el, `b${i}e${j}`));
    if (block.accessory !== undefined) fill(block.accessory, `b${i}a`);
    if (block.element !== undefined) fill(block.element, `b${i}i`);
    return block;
  });
}

interface Content {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/** Shared text/blocks/attachments rules for post, update and ephemeral. */
function readContent(ctx: MethodContext, requireSomething: boolean): Content {
  const text = str(ctx.params, 'text');
  const blocks = json(ctx.params, 'blocks', 'invalid_blocks_format');
  const attachments = json(ctx.params, 'attachments', 'invalid_attachments');
  assertMessageBlocks(blocks);
  if (attachments !== undefined && !Array.isArray(attachments)) fail('invalid_attachments');
  if (Array.isArray(attachments) && attachments.length > 100) fail('too_many_attachments');
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
  if (requireSomething && (text === undefined || text.trim() === '') && !hasBlocks && !hasAttachments) fail('no_text');
  if (text !== undefined && text.length > MAX_TEXT) fail('msg_too_long');
  return { text, blocks: blocks as unknown[] | undefined, attachments: attachments as unknown[] | undefined };
}

function readMetadata(ctx: MethodContext): FakeMessage['metadata'] {
  const metadata = json(ctx.params, 'metadata', 'invalid_metadata_format');
  if (metadata === undefined) return undefined;
  if (!isRecord(metadata)) return fail('invalid_metadata_format');
  if (typeof metadata.event_type !== 'string' || metadata.event_type === '' || !isRecord(metadata.event_payload)) {
    fail('invalid_metadata_schema', ['[ERROR] metadata needs event_type (string) and event_payload (object)']);
  }
  return { event_type: metadata.event_type, event_payload: metadata.event_payload };
}

function botProfile(ctx: MethodContext): Record<string, unknown> {
  const bot = ctx.team.users.get(ctx.team.botUserId);
  return { id: ctx.team.botId, app_id: ctx.team.appId, name: bot?.name ?? 'bot', team_id: ctx.team.id, deleted: false };
}

function ownMessage(ctx: MethodContext, channel: FakeChannel, ts: string | undefined, denied: string): FakeMessage {
  const message = ctx.state.findMessage(channel, ts);
  if (!message) return fail('message_not_found');
  if (message.user !== ctx.team.botUserId) fail(denied);
  return message;
}

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': (ctx) => {
    const channel = targetChannel(ctx);
    writableChannel(ctx, channel);
    const content = readContent(ctx, true);
    const metadata = readMetadata(ctx);
    let threadTs = str(ctx.params, 'thread_ts');
    if (threadTs !== undefined && threadTs !== '') {
      if (!ctx.state.isMessageTs(threadTs)) fail('invalid_thread_ts', [`[ERROR] ${threadTs} is not a valid thread_ts`]);
      const parent = ctx.state.findMessage(channel, threadTs);
      if (!parent) fail('thread_not_found');
      // Replying to a reply lands in the parent's thread.
      threadTs = parent.thread_ts ?? parent.ts;
    } else threadTs = undefined;
    const ts = ctx.state.nextTs();
    const message: FakeMessage = {
      type: 'message',
      ...(threadTs !== undefined && bool(ctx.params, 'reply_broadcast') ? { subtype: 'thread_broadcast' } : {}),
      ts,
      user: ctx.team.botUserId,
      bot_id: ctx.team.botId,
      app_id: ctx.team.appId,
      team: ctx.team.id,
      text: content.text ?? '',
      ...(content.blocks ? { blocks: withGeneratedIds(content.blocks, ts) } : {}),
      ...(content.attachments ? { attachments: content.attachments } : {}),
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      ...(metadata ? { metadata } : {}),
    };
    ctx.state.appendMessage(channel, message);
    return { channel: channel.id, ts, message: { ...messageToApi(message), bot_profile: botProfile(ctx) } };
  },

  'chat.update': (ctx) => {
    const channel = visibleChannel(ctx);
    if (channel.is_archived) fail('is_archived');
    const message = ownMessage(ctx, channel, str(ctx.params, 'ts'), 'cant_update_message');
    const content = readContent(ctx, false);
    const metadata = readMetadata(ctx);
    const hasBlocks = Array.isArray(content.blocks) && content.blocks.length > 0;
    if ((content.text === undefined || content.text === '') && !hasBlocks && !content.attachments && !metadata) fail('no_text');
    const editTs = ctx.state.nextTs();
    if (content.text !== undefined) message.text = content.text;
    // Slack keeps previous blocks/attachments unless new ones are sent; [] clears them.
    if (content.blocks !== undefined) {
      if (content.blocks.length === 0) delete message.blocks;
      else message.blocks = withGeneratedIds(content.blocks, editTs);
    }
    if (content.attachments !== undefined) message.attachments = content.attachments;
    if (metadata) message.metadata = metadata;
    message.edited = { user: ctx.team.botUserId, ts: editTs };
    return { channel: channel.id, ts: message.ts, text: message.text, message: messageToApi(message) };
  },

  'chat.delete': (ctx) => {
    const channel = visibleChannel(ctx);
    const message = ownMessage(ctx, channel, str(ctx.params, 'ts'), 'cant_delete_message');
    channel.messages = channel.messages.filter((m) => m !== message);
    channel.pins = channel.pins.filter((p) => p.ts !== message.ts);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      const parent = ctx.state.findMessage(channel, message.thread_ts);
      if (parent?.reply_count !== undefined) parent.reply_count = Math.max(parent.reply_count - 1, 0);
    }
    return { channel: channel.id, ts: message.ts };
  },

  'chat.postEphemeral': (ctx) => {
    const channel = targetChannel(ctx);
    writableChannel(ctx, channel);
    const user = str(ctx.params, 'user');
    if (user === undefined || !ctx.state.user(ctx.team, user)) fail('user_not_found');
    if (!channel.members.includes(user)) fail('user_not_in_channel');
    const content = readContent(ctx, true);
    const ts = ctx.state.nextTs();
    const threadTs = str(ctx.params, 'thread_ts');
    ctx.team.ephemerals.push({
      channel: channel.id,
      user,
      ts,
      text: content.text ?? '',
      ...(content.blocks ? { blocks: content.blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return { message_ts: ts };
  },

  'chat.getPermalink': (ctx) => {
    const channel = visibleChannel(ctx);
    const message = ctx.state.findMessage(channel, str(ctx.params, 'message_ts'));
    if (!message) fail('message_not_found');
    const base = `https://${ctx.team.domain}.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}`;
    const inThread = message.thread_ts !== undefined && message.thread_ts !== message.ts;
    return { channel: channel.id, permalink: inThread ? `${base}?thread_ts=${message.thread_ts}&cid=${channel.id}` : base };
  },
};
