import type { SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';

/** Credential-shaped strings people paste into incident channels; none may reach a model. */
export const FIXTURE_SECRETS = [
  'AKIAIOSFODNN7EXAMPLE',
  'xoxb-2718281828-3141592653-AbCdEfGhIjKlMnOpQrStUvWx',
  'ghp_1234567890abcdefghijABCDEFGHIJ123456',
  'password=hunter2hunter2',
] as const;

export const PINNED_DECISIONS = [
  'DECISION: freeze all deploys to search until the indexer catches up',
  'DECISION: fail over reads to the replica cluster in eu-west-1',
] as const;

const PEOPLE = ['U0002', 'U0003', 'U0004', 'U0005'];

/** Slack ts for a moment `minutesAgo` before `now`, unique by `n` in the micros. */
const tsAt = (now: number, minutesAgo: number, n: number) =>
  `${Math.floor((now - minutesAgo * 60_000) / 1000)}.${String(100000 + n).padStart(6, '0')}`;

/**
 * 300 people's messages over the last 150 minutes, oldest first: chatter, four pasted secrets, two pinned
 * decisions, well-liked messages and a thread of replies. Deterministic for a given `now`.
 */
export function seedBusyChannel(slack: SlackFake, channelId: string, now: number) {
  const channel = slack.channel(channelId);
  if (!channel) throw new Error(`no channel ${channelId}`);
  const posted: { ts: string; user: string; text: string }[] = [];
  for (let i = 0; i < 300; i++) {
    const minutesAgo = 150 - i * 0.5; // 150 … 0.5 minutes ago
    const user = PEOPLE[i % PEOPLE.length];
    let text = `message ${i}: looking at shard ${i % 7} lag, p99 at ${200 + (i % 13) * 10} ms`;
    if (i === 40) text = `try with ${FIXTURE_SECRETS[0]} from the ops vault`;
    if (i === 90) text = `the bot token is ${FIXTURE_SECRETS[1]} if you need it`;
    if (i === 150) text = `clone with ${FIXTURE_SECRETS[2]}`;
    if (i === 210) text = `db creds: user=search ${FIXTURE_SECRETS[3]}`;
    if (i === 120) text = PINNED_DECISIONS[0];
    if (i === 250) text = PINNED_DECISIONS[1];
    const ts = tsAt(now, minutesAgo, i);
    const reactions =
      i === 180
        ? [
            { name: 'eyes', users: ['U0002', 'U0004', 'U0005'], count: 3 },
            { name: '+1', users: ['U0003'], count: 1 },
          ]
        : i % 50 === 7
          ? [{ name: '+1', users: ['U0002'], count: 1 }]
          : undefined;
    if (i === 180) text = 'Root cause: the mapping change in v42 doubled the indexing work per document';
    const pinned = i === 120 || i === 250;
    slack.state.appendMessage(channel, {
      type: 'message',
      ts,
      user,
      team: channel.teamId,
      text,
      ...(reactions ? { reactions } : {}),
      ...(pinned ? { pinned_to: [channelId] } : {}),
    });
    if (pinned) channel.pins.push({ ts, created: Math.floor(now / 1000) - 60, created_by: user });
    posted.push({ ts, user, text });
  }
  // A short thread under message 200: its replies count as messages read, and are key messages too.
  const parent = posted[200];
  for (let r = 0; r < 3; r++) {
    slack.state.appendMessage(channel, {
      type: 'message',
      ts: tsAt(now, 49 - r, 900 + r),
      user: PEOPLE[(r + 1) % PEOPLE.length],
      team: channel.teamId,
      text: `thread reply ${r} about shard lag`,
      thread_ts: parent.ts,
    });
  }
  return posted;
}
