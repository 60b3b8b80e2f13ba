import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackChannelReader } from '../../../src/adapters/slack/catchup/catchup.reader';
import { type SlackFake, startSlackFake } from '../../../src/adapters/slack-fake/slack-fake.server';

/** The catch-up reader through the real WebClient against the Slack fake: paging, bounds, threads, pins. */
describe('catch-up channel reader', () => {
  let fake: SlackFake;
  let client: WebClient;
  let channel: string;
  const base = 1796200000;
  const ts = (i: number) => `${base + i}.000${String(100 + (i % 900)).padStart(3, '0')}`;

  beforeAll(async () => {
    fake = await startSlackFake();
    client = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    const c = fake.addChannel({ name: 'inc-9-reader', members: ['UBOT', 'U0001', 'U0002'] });
    channel = c.id;
    // Appended out of ts order, as an import or a late event would leave them: Slack answers by ts.
    const order = Array.from({ length: 250 }, (_, i) => i).sort((a, b) => (a % 3) - (b % 3) || a - b);
    for (const i of order) {
      fake.state.appendMessage(c, {
        type: 'message',
        ts: ts(i),
        user: i % 2 ? 'U0001' : 'U0002',
        team: c.teamId,
        text: `m${i}`,
        ...(i === 5 ? { reactions: [{ name: 'eyes', users: ['U0001', 'U0002'], count: 2 }] } : {}),
        ...(i === 7 ? { pinned_to: [c.id] } : {}),
      });
    }
    c.pins.push({ ts: ts(7), created: base, created_by: 'U0001' });
    for (let r = 0; r < 4; r++) {
      fake.state.appendMessage(c, {
        type: 'message',
        ts: ts(300 + r),
        user: 'U0001',
        team: c.teamId,
        text: `reply ${r}`,
        thread_ts: ts(10),
      });
    }
    fake.state.systemMessage(c, 'channel_join', 'U0002', '<@U0002> has joined the channel');
  });
  afterAll(async () => fake?.close());

  it('reads newest first in pages of at most 200, stops at the bound and says it was cut short', async () => {
    const reader = slackChannelReader(client);
    const page = await reader.history(channel, { max: 120 });
    expect(page.truncated).toBe(true);
    expect(page.read).toBe(120);
    expect(page.messages[0].text).toBe('m249');
    expect(page.messages.every((m, i, a) => i === 0 || Number(a[i - 1].ts) > Number(m.ts))).toBe(true);
    const limits = fake.callsTo('conversations.history').map((c) => Number(c.params.limit));
    expect(Math.max(...limits)).toBeLessThanOrEqual(200);
    const all = await reader.history(channel, { max: 1000 });
    expect(all.truncated).toBe(false);
    expect(all.messages).toHaveLength(250); // the join notice is read (and counted), not kept
    expect(all.read).toBe(251);
    expect(fake.callsTo('conversations.history').filter((c) => c.params.cursor).length).toBeGreaterThan(0);
  });

  it('honours oldest, reads a thread without its parent, counts reactions and pins', async () => {
    const reader = slackChannelReader(client);
    const recent = await reader.history(channel, { oldest: ts(239), max: 500 });
    expect(recent.messages.filter((m) => m.text.startsWith('m')).map((m) => m.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${249 - i}`),
    );
    const parent = (await reader.history(channel, { max: 1000 })).messages.find((m) => m.ts === ts(10))!;
    expect(parent).toMatchObject({ replyCount: 4, latestReply: ts(303) });
    const thread = await reader.replies(channel, ts(10), { oldest: ts(301), max: 2 });
    expect(thread.messages.map((m) => m.text)).toEqual(['reply 2', 'reply 3']);
    const five = (await reader.history(channel, { max: 1000 })).messages.find((m) => m.text === 'm5')!;
    expect(five.reactions).toBe(2);
    expect(await reader.pinned(channel)).toEqual(new Set([ts(7)]));
  });
});
