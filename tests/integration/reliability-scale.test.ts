import { afterAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { type BotProcess, type SlashResult, slash, startBot } from '../helpers/process-harness';
import { auditEffects, loggedTriggers, outboxSettled, projectionsVersusRebuild } from '../helpers/reliability-checks';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

/**
 * Two bot processes on one database share the work: declarations and commands are split between them
 * (an incident's commands alternate between the two), both outbox workers deliver, and nothing is
 * doubled: one channel, one summary, one message per effect, one event per request.
 * The suite runs 100 incidents; RELIABILITY_FULL=1 runs the full 1,000.
 */

const TEAM = 'T0001';
const INCIDENTS = process.env.RELIABILITY_FULL === '1' ? 1000 : Number(process.env.RELIABILITY_INCIDENTS ?? 100);
const CONCURRENCY = 8;
const USERS = ['U0001', 'U0002', 'U0003', 'U0005'];

async function pool<T>(items: T[], concurrency: number, run: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < items.length; i = next++) await run(items[i], i);
    }),
  );
}

// Two processes writing one SQLite file works (WAL, busy timeout), but the claim is about Postgres.
describe.each(dialects().filter((d) => d === 'postgres'))('two processes on one %s database', (dialect) => {
  let fake: SlackFake;
  let tdb: TestDb;
  const bots: BotProcess[] = [];
  afterAll(async () => {
    for (const b of bots) b.kill9();
    await fake?.close();
    await tdb?.destroy();
  });

  it(`${INCIDENTS} incidents' worth of commands split between them: no duplicate channel, message or event`, { timeout: INCIDENTS >= 1000 ? 900_000 : 120_000 }, async () => {
    fake = await startSlackFake();
    const announce = fake.addChannel({ name: 'incidents' });
    tdb = await createTestDb(dialect);
    const env = { slackApiUrl: fake.url, databaseUrl: tdb.url, extra: { ANNOUNCE_CHANNEL: announce.id, DATABASE_POOL_MAX: '10' } };
    bots.push(...(await Promise.all([startBot(env), startBot(env)])));
    const sent: SlashResult[] = [];
    const t0 = Date.now();

    await pool(
      Array.from({ length: INCIDENTS }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        sent.push(await slash(bots[i % 2].url, fake.responseUrl(), `declare sev${(i % 4) + 1} Scale incident ${i + 1}`, { user: USERS[i % USERS.length] }));
      },
    );
    const declaredMs = Date.now() - t0;
    const rows = await waitForChannels(tdb, INCIDENTS);
    const channelsMs = Date.now() - t0;

    const commands = rows.flatMap((inc, k) =>
      ['note', 'action', 'update'].map((verb, j) => ({ text: `${verb} step ${j + 1} of INC-${inc.number}`, channel: inc.channel_id!, bot: bots[(k + j) % 2], user: USERS[(k + j) % USERS.length] })),
    );
    const t1 = Date.now();
    await pool(commands, CONCURRENCY, async (c) => {
      sent.push(await slash(c.bot.url, fake.responseUrl(), c.text, { user: c.user, channel: c.channel }));
    });
    const commandsMs = Date.now() - t1;
    await outboxSettled(tdb.db, INCIDENTS >= 1000 ? 600_000 : 90_000);
    const totalMs = Date.now() - t0;
    const stops = await Promise.all(bots.map((b) => b.term()));
    if (process.env.DEBUG_BOTS) for (const b of bots) console.error(b.output().split('\n').filter((l) => !l.includes('"level":30')).join('\n').slice(0, 5000));
    expect(stops.map((s) => s.code)).toEqual([0, 0]);

    expect(sent.filter((s) => s.status !== 200).map((s) => `${s.status} ${s.text}`)).toEqual([]);
    for (const s of sent) expect(s.body?.text ?? '', s.text).not.toMatch(/:warning:|:x:/);
    const logged = await loggedTriggers(tdb.db, TEAM, sent.map((s) => s.triggerId));
    expect(logged.size).toBe(sent.length);
    const perIncident = await tdb.db.selectFrom('incident_events').select(['incident_id', 'type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['incident_id', 'type']).execute();
    expect(perIncident.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(perIncident).toHaveLength(INCIDENTS * 6); // created, linked, summary, note, action, update
    const audit = await auditEffects(tdb.db, fake, TEAM);
    expect(audit.problems).toEqual([]);
    expect(audit.channels).toBe(INCIDENTS);
    // Both workers delivered: the outbox really was shared.
    const byWorker = await tdb.db.selectFrom('outbox').select(['locked_by', (eb) => eb.fn.countAll<number>().as('n')]).where('status', '=', 'done').groupBy('locked_by').execute();
    expect(byWorker).toHaveLength(2);
    const { live, rebuilt, events } = await projectionsVersusRebuild(tdb.db);
    expect(rebuilt).toEqual(live);

    console.log(
      JSON.stringify({
        reliability: 'two-processes',
        dialect,
        incidents: INCIDENTS,
        requests: sent.length,
        non2xx: sent.filter((s) => s.status !== 200).length,
        events,
        channels: audit.channels,
        slackMessagesWithEffect: audit.messagesWithEffect,
        outboxDone: audit.outboxDone,
        deliveredPerWorker: byWorker.map((w) => Number(w.n)),
        duplicates: audit.problems.length,
        declareSeconds: declaredMs / 1000,
        channelsReadySeconds: channelsMs / 1000,
        commandSeconds: commandsMs / 1000,
        totalSeconds: totalMs / 1000,
      }),
    );
  });
});

async function waitForChannels(tdb: TestDb, n: number) {
  const end = Date.now() + (n >= 1000 ? 600_000 : 90_000);
  for (;;) {
    const rows = await tdb.db.selectFrom('incidents').select(['id', 'number', 'channel_id', 'summary_ts']).where('org_id', '=', TEAM).orderBy('number').execute();
    if (rows.length === n && rows.every((r) => r.channel_id && r.summary_ts)) return rows;
    if (Date.now() > end) throw new Error(`channels not ready: ${rows.filter((r) => r.channel_id).length}/${n}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
