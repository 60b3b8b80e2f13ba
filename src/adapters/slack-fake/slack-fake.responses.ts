import { isRecord } from './slack-fake.errors';
import type { FakeSlackState } from './slack-fake.state';
import { blockIssues } from './slack-fake.validate';
import type { RecordedResponse } from './slack-fake.types';

/**
 * Applies a response_url post to state when the URL was minted with a channel context,
 * so the sandbox shows what users would see. Returns the body Slack-style.
 */
export function applyResponse(state: FakeSlackState, rec: RecordedResponse): Record<string, unknown> {
  const body = rec.body;
  if (!isRecord(body)) return { ok: false, error: 'invalid_payload' };
  if (body.blocks !== undefined) {
    const issues = blockIssues(body.blocks, 'message');
    if (issues.length > 0) return { ok: false, error: 'invalid_blocks', response_metadata: { messages: issues } };
  }
  const text = typeof body.text === 'string' ? body.text : '';
  const hasContent = text !== '' || (Array.isArray(body.blocks) && body.blocks.length > 0);
  const ctx = rec.context;
  const team = ctx?.teamId !== undefined ? state.teams.get(ctx.teamId) : undefined;
  const channel = team && ctx?.channelId !== undefined ? team.channels.get(ctx.channelId) : undefined;
  if (!team || !channel || !ctx) {
    return !hasContent && body.delete_original !== true ? { ok: false, error: 'no_text' } : { ok: true };
  }

  const original = state.findMessage(channel, ctx.messageTs);
  if (body.delete_original === true) {
    if (original) channel.messages = channel.messages.filter((m) => m !== original);
    return { ok: true };
  }
  if (!hasContent) return { ok: false, error: 'no_text' };
  const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : undefined;
  if (body.replace_original === true && original) {
    original.text = text;
    if (blocks) original.blocks = blocks;
    else delete original.blocks;
    original.edited = { user: team.botUserId, ts: state.nextTs() };
    return { ok: true };
  }
  if (body.response_type === 'in_channel') {
    state.appendMessage(channel, {
      type: 'message',
      ts: state.nextTs(),
      user: team.botUserId,
      bot_id: team.botId,
      app_id: team.appId,
      team: team.id,
      text,
      ...(blocks ? { blocks } : {}),
      ...(typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {}),
    });
    return { ok: true };
  }
  team.ephemerals.push({ channel: channel.id, user: ctx.userId ?? '', ts: state.nextTs(), text, ...(blocks ? { blocks } : {}) });
  return { ok: true };
}
