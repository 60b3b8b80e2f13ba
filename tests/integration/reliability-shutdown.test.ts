import { existsSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { EFFECT_METADATA_TYPE } from '../../src/adapters/slack/ids';
import { type BotProcess, slash, startBot } from '../helpers/process-harness';
import { auditEffects, loggedTriggers, outboxSettled } from '../helpers/reliability-checks';
import { createDb } from '../../src/adapters/db/create-db';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';
import { waitFor as waitForBase } from '../helpers/wait';

/**
 * SIGTERM while a slash command and an outbox delivery are both waiting on a slow Slack: the process
 * stops taking requests, finishes both, closes the database and exits 0; what it had not started is
 * delivered by the next process.
 */

const TEAM = 'T0001';
const HANG_MS = 1500;

describe.each(dialects())('graceful shutdown on SIGTERM (%s)', (dialect) => {
  let fake: SlackFake;
  let tdb: TestDb;
  let bot: BotProcess | undefined;
  let reopened: TestDb['db'] | undefined;
  afterAll(async () => {
    bot?.kill9();
    await fake?.close();
    await reopened?.destroy();
    await tdb?.destroy();
  });

  it('finishes the request and the delivery in hand, refuses new requests, closes the database, exits 0', { timeout: 60_000 }, async () => {
    fake = await startSlackFake();
    tdb = await createTestDb(dialect);
    const env = { slackApiUrl: fake.url, databaseUrl: tdb.url };
    bot = await startBot(env);
    const first = bot;
    const declared = await slash(bot.url, fake.responseUrl(), 'declare sev2 Shutdown drill');
    expect(declared.status).toBe(200);
    await outboxSettled(tdb.db, 15_000);
    const inc = await tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).executeTakeFirstOrThrow();

    // A delivery in hand: the note's timeline post hangs in Slack.
    fake.failNext('chat.postMessage', { timeoutMs: HANG_MS });
    const note = await slash(bot.url, fake.responseUrl(), 'note Drill note', { channel: inc.channel_id! });
    expect(note.status).toBe(200);
    const noteRow = await waitForRow(tdb, 'slack.post', 'in_flight');
    // A request in hand: assign looks the user up, and Slack hangs.
    fake.failNext('users.info', { timeoutMs: HANG_MS });
    const assigning = slash(bot.url, fake.responseUrl(), 'assign commander <@U0003|carol>', { channel: inc.channel_id! });
    await new Promise((r) => setTimeout(r, 300)); // the fake records a hung call only once it answers
    expect(fake.callsTo('users.info')).toHaveLength(0);
    // SQLite folds its write-ahead log back into the file when the last connection closes: let the bot's be the last.
    if (dialect === 'sqlite') await tdb.db.destroy();

    const stopping = first.term();
    await new Promise((r) => setTimeout(r, 150));
    const late = await slash(first.url, fake.responseUrl(), 'note Too late', { channel: inc.channel_id! });
    const assigned = await assigning;
    const { code, ms } = await stopping;
    bot = undefined;
    if (dialect === 'sqlite') {
      const wal = `${tdb.target.location}-wal`;
      expect(!existsSync(wal) || statSync(wal).size === 0, 'SQLite closed cleanly').toBe(true);
      reopened = createDb(tdb.target);
      tdb.db = reopened;
    }

    expect(late.status === 0 || late.status === 503, `late request got ${late.status}`).toBe(true);
    expect(assigned.status).toBe(200);
    expect(assigned.body?.text).toMatch(/is now commander/);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    const stopped = first.logs().find((l) => l.msg === 'Runbook Revenant stopped');
    expect(stopped).toMatchObject({ closedClean: true, listenersDone: true });
    // The delivery in hand was finished, not abandoned to its lease.
    const row = await tdb.db.selectFrom('outbox').selectAll().where('id', '=', noteRow.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('done');
    const logged = await loggedTriggers(tdb.db, TEAM, [note.triggerId, assigned.triggerId, late.triggerId]);
    expect([...logged].sort()).toEqual([note.triggerId, assigned.triggerId].sort());

    // Whatever the stopped process had not started is delivered by the next one, once.
    bot = await startBot(env);
    await outboxSettled(tdb.db, 15_000);
    expect((await auditEffects(tdb.db, fake, TEAM)).problems).toEqual([]);
    const posts = fake.messages(inc.channel_id!).filter((m) => m.metadata?.event_type === EFFECT_METADATA_TYPE);
    expect(posts.map((m) => m.text)).toEqual(expect.arrayContaining([expect.stringContaining('Drill note'), expect.stringContaining('is now *commander*')]));
    await bot.term();
    bot = undefined;

    console.log(JSON.stringify({ reliability: 'sigterm', dialect, exitCode: code, stopMs: ms, lateRequestStatus: late.status, inFlightRequest: assigned.status, inFlightDelivery: row.status }));
  });
});

const waitFor = (fn: () => boolean | Promise<boolean>, timeoutMs = 10_000) => waitForBase(fn, timeoutMs);

async function waitForRow(tdb: TestDb, kind: string, status: string) {
  let found: { id: number } | undefined;
  await waitFor(async () => {
    found = await tdb.db.selectFrom('outbox').select('id').where('kind', '=', kind).where('status', '=', status).executeTakeFirst();
    return !!found;
  });
  return found!;
}
