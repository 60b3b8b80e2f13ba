import { type Config, loadConfig } from '../../src/config';
import { type Running, startRevenant, type StartOptions } from '../../src/server';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { createLogger } from '../../src/adapters/logger';
import { createTestDb, type Dialect, type TestDb } from './test-db';
import { fakeTriggerId, interactionBody, signedFetch, slashCommandBody, eventBody } from './slack-signing';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEAM = 'T0001';
export const ADMIN = 'U0001';

export interface Harness {
  slack: SlackFake;
  app: Running;
  tdb: TestDb;
  config: Config;
  /** POST a signed `/incident <text>`; returns status, parsed body (if JSON) and how long the ack took. */
  command(text: string, o?: { user?: string; channel?: string; team?: string; triggerId?: string; retryNum?: number; timestamp?: number; secret?: string }): Promise<{ status: number; body: any; ms: number; triggerId: string; raw: string; responseId: string }>;
  interact(payload: Record<string, unknown>, o?: { secret?: string }): Promise<{ status: number; body: any; ms: number }>;
  event(event: Record<string, unknown>, o?: { team?: string; eventId?: string; retryNum?: number }): Promise<{ status: number; ms: number }>;
  /** Wait until every due outbox row is delivered (or failed). */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(dialect: Dialect, env: Record<string, string> = {}, opts: StartOptions = {}): Promise<Harness> {
  const slack = await startSlackFake();
  const tdb = await createTestDb(dialect);
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: tdb.url,
    ADMIN_USER_IDS: ADMIN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await startRevenant(config, { db: tdb.db, workerPollMs: 20, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), ...opts });
  const events = `${app.url}/slack/events`;

  async function timed(p: Promise<Response>) {
    const t0 = performance.now();
    const res = await p;
    const raw = await res.text();
    const ms = performance.now() - t0;
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, ms, raw };
  }

  return {
    slack,
    app,
    tdb,
    config,
    async command(text, o = {}) {
      const triggerId = o.triggerId ?? fakeTriggerId();
      const responseUrl = slack.responseUrl(undefined, { teamId: o.team ?? TEAM, channelId: o.channel ?? 'CGENERAL', userId: o.user ?? ADMIN });
      const body = slashCommandBody({
        teamId: o.team ?? TEAM,
        userId: o.user ?? ADMIN,
        channelId: o.channel ?? 'CGENERAL',
        command: '/incident',
        text,
        triggerId,
        responseUrl,
      });
      const r = await timed(signedFetch(events, body, { secret: o.secret ?? SIGNING_SECRET, contentType: 'application/x-www-form-urlencoded', retryNum: o.retryNum, timestamp: o.timestamp }));
      return { ...r, triggerId, responseId: responseUrl.slice(responseUrl.lastIndexOf('/') + 1) };
    },
    async interact(payload, o = {}) {
      return timed(signedFetch(events, interactionBody(payload), { secret: o.secret ?? SIGNING_SECRET, contentType: 'application/x-www-form-urlencoded' }));
    },
    async event(event, o = {}) {
      const body = eventBody(event, { teamId: o.team ?? TEAM, eventId: o.eventId, eventTime: Math.floor(Date.now() / 1000) } as never);
      return timed(signedFetch(events, body, { secret: SIGNING_SECRET, contentType: 'application/json', retryNum: o.retryNum }));
    },
    async settle(timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const horizon = new Date(Date.now() + 60_000).toISOString();
        const left = await tdb.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', 'in', ['pending', 'in_flight'])
          .where('next_attempt_at', '<=', horizon)
          .executeTakeFirstOrThrow();
        if (Number(left.n) === 0) return;
        if (Date.now() > end) throw new Error(`outbox not settled: ${left.n} rows left`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await app.stop();
      await slack.close();
      await tdb.destroy();
    },
  };
}

export { waitFor } from './wait';
