import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { bearer, connector, genericSignal, storedCounts } from '../helpers/alerts';
import { type Harness, startHarness } from '../helpers/harness';
import { type BotProcess, slash, type SlashResult, startBot } from '../helpers/process-harness';
import { auditEffects, loggedTriggers, outboxSettled } from '../helpers/reliability-checks';
import { createTestDb, type TestDb } from '../helpers/test-db';

/**
 * The database goes away under load. Postgres: every backend of the bot is killed repeatedly
 * (pg_terminate_backend, what a restart or failover does to the connections) during an alert storm
 * and a burst of slash commands. SQLite: the file becomes full (max_page_count) or read-only. Requests
 * that cannot be committed are answered 503 with Retry-After (Slack: a clear ephemeral), never 2xx;
 * the process lives, reconnects, and what was acknowledged is there once, with its effects.
 */

const TEAM = 'T0001';
const UNAVAILABLE = /database is unavailable/;

type Sent = { status: number; retryAfter: string | null; error?: string };
async function postAlert(url: string, id: string, token: string, body: unknown): Promise<Sent> {
  try {
    const res = await fetch(`${url}/connectors/${id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: string };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), error: json.error };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

/** Re-send until accepted, as Alertmanager does with a 5xx. */
async function resendUntilAccepted(send: () => Promise<Sent>, maxTries = 40): Promise<Sent> {
  let last: Sent = { status: 0, retryAfter: null };
  for (let i = 0; i < maxTries; i++) {
    last = await send();
    if (last.status === 202) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

describe.runIf(!!process.env.TEST_DATABASE_URL)('Postgres backends killed mid storm (postgres)', () => {
  let fake: SlackFake | undefined;
  let tdb: TestDb | undefined;
  let bot: BotProcess | undefined;
  let admin: pg.Client | undefined;
  afterAll(async () => {
    bot?.kill9();
    await admin?.end().catch(() => undefined);
    await fake?.close();
    await tdb?.destroy();
  });

  it(
    'answers 503 + Retry-After while connections die, reconnects, loses and doubles nothing',
    { timeout: 180_000 },
    async () => {
      fake = await startSlackFake();
      tdb = await createTestDb('postgres');
      // Only this bot's connections are killed (other suites share the server): they carry our application_name.
      const appName = `rvn_resil_${randomBytes(4).toString('hex')}`;
      bot = await startBot(
        {
          slackApiUrl: fake.url,
          databaseUrl: `${tdb.url}&application_name=${appName}`,
          extra: { AUTO_DECLARE_LIMIT: '100' },
        },
        60_000,
      );
      admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const killAll = async () =>
        Number(
          (
            await admin!.query(
              'select count(pg_terminate_backend(pid)) as n from pg_stat_activity where application_name = $1',
              [appName],
            )
          ).rows[0].n,
        );
      const conn = await connector(tdb.db, TEAM, 'generic', 'storm');

      // Idle pooled connections killed: node-postgres emits 'error' on the pool; unhandled, that ended the process.
      expect((await slash(bot.url, fake.responseUrl(), 'declare sev3 Before the outage')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      const idleKilled = await killAll();
      await new Promise((r) => setTimeout(r, 500));
      expect(bot.alive(), `bot died when its idle connections were killed:\n${bot.output().slice(-1500)}`).toBe(true);

      // The storm: 6 services × 15 requests of 5 alerts, 3 at a time, and 30 slash commands, while every
      // backend of the bot is killed every 500 ms.
      const services = Array.from({ length: 6 }, (_, i) => `svc-${i}`);
      const requests = services.flatMap((svc) =>
        Array.from({ length: 15 }, (_, r) =>
          Array.from({ length: 5 }, (_, k) =>
            genericSignal({ serviceName: svc, severity: 'critical', fingerprint: `${svc}-${r}-${k}` }),
          ),
        ),
      );
      let killing = true;
      let kills = 0;
      const killer = (async () => {
        while (killing) {
          kills += await killAll().catch(() => 0);
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const firstTry: Sent[] = new Array(requests.length);
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < requests.length; i = next++)
          firstTry[i] = await postAlert(bot!.url, conn.id, conn.token, requests[i]);
      };
      const commands: Promise<SlashResult>[] = [];
      for (let i = 0; i < 30; i++)
        commands.push(
          new Promise((r) => setTimeout(r, i * 60)).then(() =>
            slash(bot!.url, fake!.responseUrl(), `declare sev3 Burst ${i}`),
          ),
        );
      await Promise.all([lane(), lane(), lane()]);
      const answered = await Promise.all(commands);
      killing = false;
      await killer;

      expect(bot.alive(), bot.output().slice(-1500)).toBe(true);
      const statuses = firstTry.map((s) => s.status);
      const refused = firstTry.filter((s) => s.status === 503);
      expect(
        statuses.filter((s) => s !== 202 && s !== 503),
        'only 202 or 503, never 500 or a dropped connection',
      ).toEqual([]);
      for (const r of refused) expect(r).toMatchObject({ retryAfter: '5', error: 'database_unavailable' });

      // Slash commands: a 200 either way; the text says whether it was recorded, and the log agrees.
      expect(answered.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
      const saidUnavailable = answered.filter((a) => UNAVAILABLE.test(a.body?.text ?? ''));
      const saidDone = answered.filter((a) => !UNAVAILABLE.test(a.body?.text ?? ''));
      const logged = await loggedTriggers(
        tdb.db,
        TEAM,
        answered.map((a) => a.triggerId),
      );
      const lost = saidDone.filter((a) => !logged.has(a.triggerId));
      expect(lost, 'acknowledged commands missing from the log').toEqual([]);
      const claimedNotLogged = saidUnavailable.filter((a) => logged.has(a.triggerId)).length;

      // Alertmanager re-sends what got a 5xx; all of it is then accepted.
      const resent = await Promise.all(
        firstTry.map((s, i) =>
          s.status === 202 ? s : resendUntilAccepted(() => postAlert(bot!.url, conn.id, conn.token, requests[i])),
        ),
      );
      expect(resent.filter((s) => s.status !== 202)).toEqual([]);
      const counts = await storedCounts(tdb.db);
      expect(counts.receipts).toBe(requests.length * 5);
      const incidents = await tdb.db.selectFrom('incidents').select(['service']).where('org_id', '=', TEAM).execute();
      const perService = services.map((svc) => incidents.filter((i) => i.service === svc).length);
      expect(perService, 'one incident per stormed service').toEqual(services.map(() => 1));

      // The outbox worker carried on: every effect delivered, once.
      await outboxSettled(tdb.db, 90_000);
      const audit = await auditEffects(tdb.db, fake, TEAM);
      expect(audit.problems).toEqual([]);
      const ready = await fetch(`${bot.url}/readyz`);
      expect(ready.status).toBe(200);
      const unavailableLines = bot
        .logs()
        .filter((l) => l.msg === 'database unavailable: request refused with 503, nothing stored').length;
      expect(unavailableLines).toBeGreaterThanOrEqual(refused.length);
      console.log(
        JSON.stringify({
          reliability: {
            test: 'postgres-backends-killed',
            idleKilled,
            kills,
            alertRequests: requests.length,
            answered202: statuses.filter((s) => s === 202).length,
            answered503: refused.length,
            other: statuses.filter((s) => s !== 202 && s !== 503).length,
            afterResend: resent.filter((s) => s.status === 202).length,
            alertsStored: counts.receipts,
            commands: answered.length,
            commandsRecorded: saidDone.length,
            commandsToldUnavailable: saidUnavailable.length,
            toldUnavailableButRecorded: claimedNotLogged,
            acknowledgedLost: lost.length,
            incidentsPerService: [...new Set(perService)],
            effectsDelivered: audit.outboxDone,
            duplicates: audit.problems.length,
            alive: bot.alive(),
          },
        }),
      );
    },
  );
});

describe('SQLite file full or read-only (sqlite)', () => {
  let h: Harness | undefined;
  const lines: string[] = [];
  afterAll(async () => {
    await h?.close();
  });
  const capture = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });

  it(
    'answers 503 with a clear log line, keeps the file intact, and takes writes again once space is back',
    { timeout: 60_000 },
    async () => {
      h = await startHarness('sqlite', {}, { logger: createLogger('info', capture) });
      const db = h.tdb.db;
      const conn = await connector(db, TEAM, 'generic', 'full');
      const send = (i: number, pad = 0) =>
        postAlert(
          h!.app.url,
          conn.id,
          conn.token,
          genericSignal({ serviceName: `disk-${i % 3}`, fingerprint: `disk-${i}`, raw: { pad: 'x'.repeat(pad) } }),
        );
      expect((await send(0)).status).toBe(202);
      const before = await storedCounts(db);

      // Full: the file may not grow by a single page.
      const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0].page_count);
      await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
      const full: Sent[] = [];
      for (let i = 1; i <= 40; i++) full.push(await send(i, 3000));
      // Declarations until one no longer fits (a small one may still fit in a partly free page).
      const fullCommands: Awaited<ReturnType<Harness['command']>>[] = [];
      for (let i = 0; i < 30 && !fullCommands.some((c) => UNAVAILABLE.test(c.body?.text ?? '')); i++)
        fullCommands.push(await h.command(`declare sev2 Disk is full ${i} ${'y'.repeat(100)}`));
      const fullCommand = fullCommands[fullCommands.length - 1];
      const whileFull = await storedCounts(db);
      const integrity = (await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)).rows[0]
        .integrity_check;

      expect(
        full.filter((s) => s.status !== 202 && s.status !== 503),
        'only 202 or 503',
      ).toEqual([]);
      const refused = full.filter((s) => s.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect(r).toMatchObject({ retryAfter: '5', error: 'database_unavailable' });
      expect(fullCommand.status).toBe(200);
      expect(fullCommand.body.text).toMatch(UNAVAILABLE);
      expect(whileFull.receipts - before.receipts).toBe(full.filter((s) => s.status === 202).length);
      expect(integrity).toBe('ok');
      const logLine = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'database unavailable: request refused with 503, nothing stored');
      expect(logLine).toMatchObject({ code: 'SQLITE_FULL' });

      // Space again: the refused ones are re-sent and accepted.
      await sql.raw('pragma max_page_count = 1073741823').execute(db);
      const resent = await Promise.all(full.map((s, i) => (s.status === 202 ? s : send(i + 1, 3000))));
      expect(resent.every((s) => s.status === 202)).toBe(true);
      expect((await storedCounts(db)).receipts - before.receipts).toBe(40);

      // Read-only (as a read-only mount or file would be): the same answer.
      await sql.raw('pragma query_only = 1').execute(db);
      const ro = await send(100);
      const roCommand = await h.command('declare sev2 Read-only disk');
      await sql.raw('pragma query_only = 0').execute(db);
      expect(ro).toMatchObject({ status: 503, retryAfter: '5', error: 'database_unavailable' });
      expect(roCommand.body.text).toMatch(UNAVAILABLE);
      const roLine = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.code === 'SQLITE_READONLY');
      expect(roLine).toBeDefined();
      expect((await send(100)).status).toBe(202);
      expect((await h.command('declare sev2 Writable again')).body.text).not.toMatch(UNAVAILABLE);
      const logged = await loggedTriggers(db, TEAM, [fullCommand.triggerId, roCommand.triggerId]);
      expect(logged.size).toBe(0);
      // The declarations answered as declared before the file filled up are all in the log.
      const declared = fullCommands.filter((c) => !UNAVAILABLE.test(c.body?.text ?? ''));
      expect(
        (
          await loggedTriggers(
            db,
            TEAM,
            declared.map((c) => c.triggerId),
          )
        ).size,
      ).toBe(declared.length);
      console.log(
        JSON.stringify({
          reliability: {
            test: 'sqlite-full-readonly',
            fullRequests: full.length,
            accepted202: full.length - refused.length,
            refused503: refused.length,
            integrity,
            afterSpace: resent.filter((s) => s.status === 202).length,
            readOnly: ro.status,
            commandsDeclaredBeforeFull: declared.length,
            commandsRecordedWhileUnavailable: logged.size,
          },
        }),
      );
    },
  );
});
