import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../../../src/adapters/slack-fake/slack-fake.server';

/** The Slack fake models private channels as Slack does: only members see and read them. */
describe('slack fake: private channels', () => {
  let fake: SlackFake;
  let bot: WebClient;
  beforeAll(async () => {
    fake = await startSlackFake();
    bot = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  });
  afterAll(async () => fake?.close());

  it('conversations.create is_private: only members (the bot, then invited people) can read it', async () => {
    const res = await bot.conversations.create({ name: 'inc-private-9', is_private: true });
    const id = res.channel!.id!;
    await bot.chat.postMessage({ channel: id, text: 'secret words' });
    const readable = (user: string) => fake.state.readableBy('T0001', user).map((c) => c.id);
    expect(readable('U0002')).not.toContain(id);
    await bot.conversations.invite({ channel: id, users: 'U0002' });
    expect(readable('U0002')).toContain(id);
    expect(readable('U0003')).not.toContain(id);
    // A public channel is readable by everyone, archived or not.
    const pub = await bot.conversations.create({ name: 'inc-9-public' });
    await bot.conversations.archive({ channel: pub.channel!.id! });
    expect(readable('U0003')).toContain(pub.channel!.id!);
  });

  it('a private channel the bot is not in does not exist for it, and cannot be joined', async () => {
    const other = fake.addChannel({ name: 'hr-only', isPrivate: true, members: ['U0004'] });
    await expect(bot.conversations.info({ channel: other.id })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(bot.conversations.join({ channel: other.id })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    const listed = await bot.conversations.list({ types: 'public_channel,private_channel' });
    expect(listed.channels!.map((c) => c.name)).not.toContain('hr-only');
  });
});
