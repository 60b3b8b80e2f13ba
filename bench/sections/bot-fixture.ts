import { startSlackFake, type SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { ADMIN, runId, SIGNING_SECRET, TEAM } from '../bench.context';
import { type BenchDb, createBenchDb, type Dialect } from '../bench-db';
import { type BotProcess, startBot } from '../processes';
import { buildRequest, type SlashSpec } from '../request.builders';

/** A bot process on a fresh database, talking to a Slack fake that lives in the bench process. */
export interface BotFixture {
  slack: SlackFake;
  bdb: BenchDb;
  bot: BotProcess;
  slashSpec(channelId: string, text: string): SlashSpec;
  /** One signed `/incident <text>` from the bench process; returns the ack body. */
  command(text: string, channelId?: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startBotFixture(dialect: Dialect, extraEnv: Record<string, string> = {}): Promise<BotFixture> {
  const slack = await startSlackFake();
  const bdb = await createBenchDb(dialect);
  let bot: BotProcess;
  try {
    bot = await startBot({ slackApiUrl: slack.url, databaseUrl: bdb.url, signingSecret: SIGNING_SECRET, extra: extraEnv });
  } catch (e) {
    await slack.close();
    await bdb.destroy();
    throw e;
  }
  const slashSpec = (channelId: string, text: string): SlashSpec => ({
    kind: 'slash',
    url: `${bot.url}/slack/events`,
    secret: SIGNING_SECRET,
    teamId: TEAM,
    channelId,
    userId: ADMIN,
    text,
    responseUrl: slack.responseUrl(undefined, { teamId: TEAM, channelId, userId: ADMIN }),
    runId: runId(),
  });
  return {
    slack,
    bdb,
    bot,
    slashSpec,
    async command(text, channelId = 'CGENERAL') {
      const r = buildRequest(slashSpec(channelId, text), 0);
      const res = await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body });
      return { status: res.status, body: await res.text() };
    },
    async close() {
      await bot.stop();
      await slack.close();
      await bdb.destroy();
    },
  };
}

export async function waitUntil<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Declare an incident through the bot and wait for its channel (sections that post into one). */
export async function declareBenchIncident(fx: BotFixture, text: string): Promise<{ number: number; channel: string }> {
  const declared = await fx.command(text);
  const number = Number(/INC-(\d+)/.exec(declared.body)?.[1]);
  const channel = await waitUntil(
    async () =>
      (
        await fx.bdb.db
          .selectFrom('incidents')
          .select('channel_id')
          .where('org_id', '=', TEAM)
          .where('number', '=', number)
          .executeTakeFirst()
      )?.channel_id,
    15_000,
    `the channel of INC-${number}`,
  );
  return { number, channel };
}
