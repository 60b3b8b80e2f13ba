import type { WebAPIPlatformError, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeWebClient } from '../../src/adapters/slack-fake/slack-fake.client';
import { startSlackFake, type SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';

let fake: SlackFake;
let slack: WebClient;

/** Resolves to the Slack error code of a failed call (or 'ok'). */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as WebAPIPlatformError).data?.error ?? String(e);
  }
}

beforeAll(async () => {
  fake = await startSlackFake();
  slack = fakeWebClient(fake);
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('slack fake: auth and routing', () => {
  it('identifies the team from the bot token', async () => {
    const res = await slack.auth.test();
    expect(res).toMatchObject({ ok: true, team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT', team: 'Acme' });
    const stranger = fakeWebClient(fake, 'xoxb-nope');
    expect(await errorOf(stranger.auth.test())).toBe('invalid_auth');
    expect(await errorOf(slack.apiCall('nope.nothing'))).toBe('unknown_method');
  });

  it('accepts teams registered at runtime, scoped apart from each other', async () => {
    fake.addTeam({ id: 'T0002', name: 'Globex', botToken: 'xoxb-globex', botUserId: 'UBOT2', users: [{ id: 'U9001', name: 'hank' }] });
    const globex = fakeWebClient(fake, 'xoxb-globex');
    const created = await globex.conversations.create({ name: 'inc-1' });
    expect(await errorOf(slack.conversations.info({ channel: created.channel!.id! }))).toBe('channel_not_found');
    expect((await slack.conversations.create({ name: 'inc-1' })).ok).toBe(true);
    expect(fake.calls.at(-1)?.teamId).toBe('T0001');
  });

  it('parses JSON bodies as well as form bodies', async () => {
    const channel = fake.addChannel({ name: 'ops' });
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: channel.id, blocks: [{ type: 'divider' }], text: 'json' }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: channel.id });
    expect(fake.calls.at(-1)?.params.blocks).toEqual([{ type: 'divider' }]);
  });
});

describe('slack fake: conversations', () => {
  it('enforces channel name rules and name_taken', async () => {
    expect(await errorOf(slack.conversations.create({ name: 'Incident 42' }))).toBe('invalid_name_specials');
    expect(await errorOf(slack.conversations.create({ name: '' }))).toBe('invalid_name_required');
    expect(await errorOf(slack.conversations.create({ name: 'a'.repeat(81) }))).toBe('invalid_name_maxlength');
    expect(await errorOf(slack.conversations.create({ name: '--_' }))).toBe('invalid_name_punctuation');
    const ok = await slack.conversations.create({ name: 'inc-42_db', is_private: true });
    expect(ok.channel).toMatchObject({ name: 'inc-42_db', is_private: true, creator: 'UBOT', is_member: true });
    expect(ok.channel?.id).toMatch(/^C[0-9A-Z]{8,}$/);
    expect(await errorOf(slack.conversations.create({ name: 'inc-42_db' }))).toBe('name_taken');
    expect(await errorOf(slack.conversations.create({ name: 'a'.repeat(80) }))).toBe('ok');
  });

  it('validates invites', async () => {
    const foreign = fake.addChannel({ name: 'not-mine', members: ['U0001'] });
    expect(await errorOf(slack.conversations.invite({ channel: foreign.id, users: 'U0002' }))).toBe('not_in_channel');
    expect(await errorOf(slack.conversations.invite({ channel: 'C404', users: 'U0002' }))).toBe('channel_not_found');
    const { channel } = await slack.conversations.create({ name: 'inc-1' });
    const id = channel!.id!;
    expect(await errorOf(slack.conversations.invite({ channel: id, users: 'U0001,U0002' }))).toBe('ok');
    expect(fake.channel(id)?.members).toEqual(['UBOT', 'U0001', 'U0002']);
    expect(await errorOf(slack.conversations.invite({ channel: id, users: 'U0001' }))).toBe('already_in_channel');
    expect(await errorOf(slack.conversations.invite({ channel: id, users: 'UBOT' }))).toBe('cant_invite_self');
    expect(await errorOf(slack.conversations.invite({ channel: id, users: 'U0001,UNOPE' }))).toBe('user_not_found');
    await slack.conversations.archive({ channel: id });
    expect(await errorOf(slack.conversations.archive({ channel: id }))).toBe('already_archived');
    expect(await errorOf(slack.conversations.invite({ channel: id, users: 'U0003' }))).toBe('is_archived');
    await slack.conversations.unarchive({ channel: id });
    expect(await errorOf(slack.conversations.unarchive({ channel: id }))).toBe('not_archived');
  });

  it('sets topic with Slack limits and paginates lists', async () => {
    const { channel } = await slack.conversations.create({ name: 'inc-topic' });
    expect(await errorOf(slack.conversations.setTopic({ channel: channel!.id!, topic: 'x'.repeat(251) }))).toBe('too_long');
    await slack.conversations.setTopic({ channel: channel!.id!, topic: 'SEV1: db down' });
    expect(fake.channel(channel!.id!)?.topic.value).toBe('SEV1: db down');
    for (let i = 0; i < 4; i++) await slack.conversations.create({ name: `inc-page-${i}` });
    const first = await slack.conversations.list({ limit: 2 });
    expect(first.channels).toHaveLength(2);
    expect(first.response_metadata?.next_cursor).not.toBe('');
    const names: string[] = [];
    for await (const page of slack.paginate('conversations.list', { limit: 2 })) {
      names.push(...((page as { channels?: Array<{ name: string }> }).channels ?? []).map((c) => c.name));
    }
    expect(names).toHaveLength(5);
  });
});

describe('slack fake: messages', () => {
  it('posts, threads, updates, pins and reads history', async () => {
    const { channel } = await slack.conversations.create({ name: 'inc-7' });
    const id = channel!.id!;
    const metadata = { event_type: 'incident_opened', event_payload: { incident_id: 'INC-7' } };
    const root = await slack.chat.postMessage({ channel: '#inc-7', text: 'opened', metadata });
    const reply = await slack.chat.postMessage({ channel: id, text: 'update', thread_ts: root.ts! });
    expect(Number(reply.ts)).toBeGreaterThan(Number(root.ts));
    expect(root.message).toMatchObject({ user: 'UBOT', bot_id: 'BBOT', text: 'opened' });

    await slack.chat.update({ channel: id, ts: root.ts!, text: 'opened (SEV1)' });
    expect(await errorOf(slack.chat.update({ channel: id, ts: '1.000001', text: 'x' }))).toBe('message_not_found');
    await slack.pins.add({ channel: id, timestamp: root.ts! });
    expect(await errorOf(slack.pins.add({ channel: id, timestamp: root.ts! }))).toBe('already_pinned');
    expect((await slack.pins.list({ channel: id })).items).toHaveLength(1);

    const history = await slack.conversations.history({ channel: id, include_all_metadata: true });
    expect(history.messages?.map((m) => m.text)).toEqual(['opened (SEV1)']);
    expect(history.messages?.[0]).toMatchObject({ reply_count: 1, metadata, pinned_to: [id], edited: { user: 'UBOT' } });
    const replies = await slack.conversations.replies({ channel: id, ts: root.ts! });
    expect(replies.messages?.map((m) => m.text)).toEqual(['opened (SEV1)', 'update']);
    expect(fake.messages(id)).toHaveLength(2);
  });

  it('refuses what Slack refuses', async () => {
    const foreign = fake.addChannel({ name: 'elsewhere', members: ['U0001'] });
    expect(await errorOf(slack.chat.postMessage({ channel: foreign.id, text: 'hi' }))).toBe('not_in_channel');
    expect(await errorOf(slack.chat.postMessage({ channel: 'C0NOPE', text: 'hi' }))).toBe('channel_not_found');
    const own = fake.addChannel({ name: 'mine', members: ['UBOT', 'U0001'] });
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: '' }))).toBe('no_text');
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: 'x', thread_ts: '9.000001' }))).toBe('thread_not_found');
    const human = fake.state.appendMessage(own, { type: 'message', ts: fake.state.nextTs(), user: 'U0001', team: 'T0001', text: 'human' });
    expect(await errorOf(slack.chat.update({ channel: own.id, ts: human.ts, text: 'hijack' }))).toBe('cant_update_message');
    expect(await errorOf(slack.chat.postEphemeral({ channel: own.id, user: 'U0002', text: 'psst' }))).toBe('user_not_in_channel');
    expect(await errorOf(slack.chat.postEphemeral({ channel: own.id, user: 'U0001', text: 'psst' }))).toBe('ok');
    expect(fake.ephemerals()).toHaveLength(1);
  });

  it('validates blocks like Slack', async () => {
    const own = fake.addChannel({ name: 'blocks' });
    const section = { type: 'section', text: { type: 'mrkdwn', text: 'hi' } };
    const res = slack.chat.postMessage({ channel: own.id, text: 'many', blocks: Array.from({ length: 51 }, () => section) });
    expect(await errorOf(res)).toBe('invalid_blocks');
    const err = await res.catch((e: WebAPIPlatformError) => e);
    expect((err as WebAPIPlatformError).data.response_metadata?.messages?.[0]).toMatch(/no more than 50 items.*json-pointer:\/blocks\]/);

    const header = { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } };
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: 't', blocks: [header] }))).toBe('invalid_blocks');
    const dupBlocks = [{ ...section, block_id: 'a' }, { ...section, block_id: 'a' }];
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: 't', blocks: dupBlocks }))).toBe('invalid_blocks');
    const button = (actionId: string, text = 'Ack') => ({ type: 'button', action_id: actionId, text: { type: 'plain_text', text } });
    const dupActions = [{ type: 'actions', elements: [button('ack'), button('ack')] }];
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: 't', blocks: dupActions }))).toBe('invalid_blocks');
    const longButton = [{ type: 'actions', elements: [button('ack', 'x'.repeat(76))] }];
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: 't', blocks: longButton }))).toBe('invalid_blocks');
    const unknown = [{ type: 'carousel' }];
    expect(await errorOf(slack.chat.postMessage({ channel: own.id, text: 't', blocks: unknown as never }))).toBe('invalid_blocks');
    // Same action_id in different blocks is fine in Slack.
    const twoCards = [{ type: 'actions', elements: [button('ack')] }, { type: 'actions', elements: [button('ack')] }];
    const ok = await slack.chat.postMessage({ channel: own.id, text: 't', blocks: twoCards });
    expect((ok.message?.blocks as Array<{ block_id?: string }>).every((b) => typeof b.block_id === 'string')).toBe(true);
  });

  it('records write calls only when they changed state', async () => {
    const own = fake.addChannel({ name: 'writes' });
    await slack.chat.postMessage({ channel: own.id, text: 'one' });
    await errorOf(slack.chat.postMessage({ channel: own.id, text: '' }));
    await slack.conversations.info({ channel: own.id });
    expect(fake.writeCalls().map((c) => c.method)).toEqual(['chat.postMessage']);
    expect(fake.calls.map((c) => c.response.ok)).toEqual([true, false, true]);
  });
});
