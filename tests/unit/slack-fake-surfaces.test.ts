import type { WebAPIPlatformError, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeWebClient } from '../../src/adapters/slack-fake/slack-fake.client';
import { startSlackFake, type SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';

let fake: SlackFake;
let slack: WebClient;

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as WebAPIPlatformError).data?.error ?? String(e);
  }
}

const modal = (title = 'Declare incident') => ({
  type: 'modal' as const,
  callback_id: 'declare',
  title: { type: 'plain_text' as const, text: title },
  submit: { type: 'plain_text' as const, text: 'Declare' },
  blocks: [
    {
      type: 'input' as const,
      block_id: 'title',
      label: { type: 'plain_text' as const, text: 'Title' },
      element: { type: 'plain_text_input' as const, action_id: 'value' },
    },
  ],
});

beforeAll(async () => {
  fake = await startSlackFake();
  slack = fakeWebClient(fake);
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('slack fake: views', () => {
  it('requires a usable trigger_id', async () => {
    expect(await errorOf(slack.views.open({ trigger_id: '', view: modal() }))).toBe('invalid_trigger_id');
    const expired = fake.issueTrigger('U0001');
    fake.expireTrigger(expired);
    expect(await errorOf(slack.views.open({ trigger_id: expired, view: modal() }))).toBe('expired_trigger_id');
    const trigger = fake.issueTrigger('U0001');
    const opened = await slack.views.open({ trigger_id: trigger, view: modal() });
    expect(opened.view).toMatchObject({ type: 'modal', callback_id: 'declare', root_view_id: opened.view?.id });
    expect(opened.view?.id).toMatch(/^V/);
    expect(await errorOf(slack.views.open({ trigger_id: trigger, view: modal() }))).toBe('exchanged_trigger_id');
    expect(fake.views()[0].userId).toBe('U0001');
  });

  it('validates the view and supports update, push and publish', async () => {
    const err = await slack.views.open({ trigger_id: 't-1', view: modal('x'.repeat(25)) }).catch((e: WebAPIPlatformError) => e);
    expect((err as WebAPIPlatformError).data).toMatchObject({ error: 'invalid_arguments' });
    expect((err as WebAPIPlatformError).data.response_metadata?.messages?.[0]).toMatch(/\/view\/title\/text/);

    const opened = await slack.views.open({ trigger_id: 't-2', view: modal() });
    const updated = await slack.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal('Step 2') });
    expect(updated.view?.title?.text).toBe('Step 2');
    expect(await errorOf(slack.views.update({ view_id: opened.view!.id!, hash: 'stale', view: modal() }))).toBe('hash_conflict');
    expect(await errorOf(slack.views.update({ view_id: 'V404', view: modal() }))).toBe('not_found');

    const root = await slack.views.open({ trigger_id: fake.issueTrigger('U0003'), view: modal() });
    const pushed = await slack.views.push({ trigger_id: fake.issueTrigger('U0003'), view: modal('Confirm') });
    expect(pushed.view).toMatchObject({ root_view_id: root.view?.id, previous_view_id: root.view?.id });
    await slack.views.push({ trigger_id: fake.issueTrigger('U0003'), view: modal('Confirm 2') });
    expect(await errorOf(slack.views.push({ trigger_id: fake.issueTrigger('U0003'), view: modal() }))).toBe('push_limit_reached');

    const home = { type: 'home' as const, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Open incidents: 0' } }] };
    const published = await slack.views.publish({ user_id: 'U0002', view: home });
    const again = await slack.views.publish({ user_id: 'U0002', view: home });
    expect(again.view?.id).toBe(published.view?.id);
    expect(fake.homeTab('U0002')?.view.type).toBe('home');
    expect(await errorOf(slack.views.publish({ user_id: 'UNOPE', view: home }))).toBe('user_not_found');
  });
});

describe('slack fake: files and users', () => {
  it('supports filesUploadV2 end to end', async () => {
    const own = fake.addChannel({ name: 'postmortems' });
    const res = await slack.filesUploadV2({ channel_id: own.id, content: '# Postmortem\nroot cause', filename: 'pm.md', title: 'PM' });
    expect(res.ok).toBe(true);
    const [file] = [...fake.defaultTeam.files.values()];
    expect(file.content?.toString('utf8')).toBe('# Postmortem\nroot cause');
    expect(file).toMatchObject({ name: 'pm.md', title: 'PM', channels: [own.id], completed: true });
    expect(fake.messages(own.id)[0].files?.[0]).toMatchObject({ id: file.id, title: 'PM' });
    const download = await fetch((fake.messages(own.id)[0].files?.[0] as { url_private: string }).url_private, {
      headers: { authorization: 'Bearer xoxb-test' },
    });
    expect(await download.text()).toBe('# Postmortem\nroot cause');
  });

  it('opens a DM when posting to a user id', async () => {
    const res = await slack.chat.postMessage({ channel: 'U0002', text: 'digest' });
    expect(res.channel).toMatch(/^D/);
    expect(fake.channel(res.channel!)).toMatchObject({ is_im: true, imUser: 'U0002', members: ['UBOT', 'U0002'] });
    const opened = await slack.conversations.open({ users: 'U0002' });
    expect(opened.channel?.id).toBe(res.channel);
  });

  it('answers users.info/list with Slack shapes', async () => {
    const info = await slack.users.info({ user: 'U0002' });
    expect(info.user).toMatchObject({ id: 'U0002', name: 'bob', real_name: 'Bob Brown', tz: 'America/New_York', is_bot: false });
    expect(typeof info.user?.tz_offset).toBe('number');
    expect(await errorOf(slack.users.info({ user: 'UNOPE' }))).toBe('user_not_found');
    const list = await slack.users.list({});
    expect(list.members?.map((m) => m.id)).toEqual(['UBOT', 'U0001', 'U0002', 'U0003', 'U0004', 'U0005']);
    expect((await slack.users.lookupByEmail({ email: 'carol@acme.test' })).user?.id).toBe('U0003');
  });
});

describe('slack fake: response_url', () => {
  it('records posts and applies in_channel / replace_original with context', async () => {
    const own = fake.addChannel({ name: 'inc-9', members: ['UBOT', 'U0001'] });
    const plain = fake.responseUrl();
    await fetch(plain, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'only you' }) });
    expect(fake.responses[0]).toMatchObject({ body: { text: 'only you' } });

    const posted = await slack.chat.postMessage({ channel: own.id, text: 'card' });
    const url = fake.responseUrl('abc', { teamId: 'T0001', channelId: own.id, userId: 'U0001', messageTs: posted.ts });
    expect(url).toBe(`${fake.baseUrl}/responses/abc`);
    const post = (body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    expect(await post({ response_type: 'in_channel', text: 'declared' })).toEqual({ ok: true });
    expect(await post({ replace_original: true, text: 'card v2' })).toEqual({ ok: true });
    expect(fake.messages(own.id).map((m) => m.text)).toEqual(['card v2', 'declared']);
    expect(await post({ blocks: [{ type: 'nope' }] })).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });
});
