import { createServer, type Server, type Socket, connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { bearer, connector, genericSignal } from '../helpers/alerts';
import { SIGNING_SECRET } from '../helpers/harness';
import { type BotProcess, freePort, slash, startBot } from '../helpers/process-harness';
import { auditEffects, loggedTriggers, outboxSettled } from '../helpers/reliability-checks';
import { signedFetch } from '../helpers/slack-signing';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

/**
 * Slack unreachable when the bot starts (SLACK_API_URL refusing connections): the process keeps
 * running, takes alerts and commands, /readyz says Slack is degraded, and when Slack comes back the
 * effects that waited go out in order, once. Also: a promise nobody handles is logged and counted,
 * and a signed request whose body is JSON `null` is a 400, not a dead process.
 */

const TEAM = 'T0001';

const metric = async (url: string, name: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};
const readyz = async (url: string) => {
  const res = await fetch(`${url}/readyz`);
  return {
    status: res.status,
    body: (await res.json()) as { ok: boolean; slack?: { state: string; failures: number }; degraded: string[] },
  };
};
const until = async (fn: () => Promise<boolean>, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A TCP hop between the bot and the Slack fake that can go down (connections refused) and come back. */
function outageProxy(port: number, targetPort: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    async up() {
      server = createServer((inbound) => {
        const outbound = connect(targetPort, '127.0.0.1');
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
    },
    async down() {
      const s = server;
      server = undefined;
      for (const c of sockets) c.destroy();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

describe.each(dialects())('Slack unreachable at start and mid-run (%s)', (dialect) => {
  let fake: SlackFake | undefined;
  let tdb: TestDb | undefined;
  let bot: BotProcess | undefined;
  let proxy: ReturnType<typeof outageProxy> | undefined;
  afterAll(async () => {
    bot?.kill9();
    await proxy?.down();
    await fake?.close();
    await tdb?.destroy();
  });

  it(
    'starts, serves webhooks, health and metrics, reports Slack degraded, then delivers once Slack is back',
    { timeout: 90_000 },
    async () => {
      tdb = await createTestDb(dialect);
      const port = await freePort(); // nothing listens there yet: connections are refused
      const slackApiUrl = `http://127.0.0.1:${port}/api/`;
      fake = await startSlackFake();
      proxy = outageProxy(port, Number(new URL(fake.url).port));
      const conn = await connector(tdb.db, TEAM, 'generic', 'resilience');
      bot = await startBot({ slackApiUrl, databaseUrl: tdb.url }, 60_000);
      const t0 = Date.now();

      // Long past the second in which the old code died on auth.test's unhandled rejection.
      await new Promise((r) => setTimeout(r, 2500));
      expect(bot.alive(), `bot died with Slack unreachable:\n${bot.output().slice(-2000)}`).toBe(true);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      const down = await readyz(bot.url);
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({
        ok: true,
        database: 'reachable',
        degraded: ['slack'],
        slack: { state: 'degraded' },
      });

      // Alerts and commands are taken while Slack is away.
      const alertStatuses: number[] = [];
      for (const svc of ['payments', 'search', 'payments']) {
        const res = await fetch(`${bot.url}/connectors/${conn.id}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(conn.token) },
          body: JSON.stringify(genericSignal({ serviceName: svc, severity: 'critical', fingerprint: `fp-${svc}` })),
        });
        alertStatuses.push(res.status);
      }
      expect(alertStatuses.every((s) => s === 202)).toBe(true);
      const declared = [];
      for (let i = 1; i <= 3; i++)
        declared.push(await slash(bot.url, 'http://127.0.0.1:1/unused', `declare sev2 Outage drill ${i}`));
      expect(declared.map((d) => d.status)).toEqual([200, 200, 200]);
      const logged = await loggedTriggers(
        tdb.db,
        TEAM,
        declared.map((d) => d.triggerId),
      );
      expect(logged.size).toBe(3);
      const pendingWhileDown = Number(
        (
          await tdb.db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', 'in', ['pending', 'in_flight'])
            .executeTakeFirstOrThrow()
        ).n,
      );
      expect(pendingWhileDown).toBeGreaterThan(0);
      expect(await metric(bot.url, 'revenant_unhandled_rejections_total')).toBe(0);

      // Slack comes back on the same address.
      await proxy.up();
      const downMs = Date.now() - t0;
      await until(async () => (await readyz(bot!.url)).body.slack?.state === 'ok', 30_000, 'readyz to report Slack ok');
      await outboxSettled(tdb.db, 60_000);
      const audit = await auditEffects(tdb.db, fake, TEAM);
      expect(audit.problems).toEqual([]);
      expect(fake.callsTo('conversations.create')).toHaveLength(audit.incidents);
      expect(bot.alive()).toBe(true);
      expect(await metric(bot.url, 'revenant_unhandled_rejections_total')).toBe(0);
      const failed = await tdb.db.selectFrom('outbox').select('id').where('status', '=', 'failed').execute();
      expect(failed).toHaveLength(0);

      // Mid-run: Slack goes away again while people work an incident; their notes wait, then land in order.
      const inc = await tdb.db
        .selectFrom('incidents')
        .selectAll()
        .where('org_id', '=', TEAM)
        .where('title', '=', 'Outage drill 1')
        .executeTakeFirstOrThrow();
      await proxy.down();
      const t1 = Date.now();
      const notes = [];
      for (const n of ['first', 'second', 'third'])
        notes.push(await slash(bot.url, fake.responseUrl(), `note Mid-run note ${n}`, { channel: inc.channel_id! }));
      expect(notes.map((n) => n.status)).toEqual([200, 200, 200]);
      await until(
        async () => (await readyz(bot!.url)).body.slack?.state === 'degraded',
        15_000,
        'readyz to report Slack degraded mid-run',
      );
      const midDown = await readyz(bot.url);
      expect(midDown.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1500));
      await proxy.up();
      const midDownMs = Date.now() - t1;
      await until(
        async () => (await readyz(bot!.url)).body.slack?.state === 'ok',
        30_000,
        'readyz to report Slack ok again',
      );
      await outboxSettled(tdb.db, 60_000);
      const midAudit = await auditEffects(tdb.db, fake, TEAM);
      expect(midAudit.problems).toEqual([]);
      const posted = fake.state.teams
        .get(TEAM)!
        .channels.get(inc.channel_id!)!
        .messages.map((m) => m.text)
        .filter((t) => /Mid-run note/.test(t));
      const order = ['first', 'second', 'third'].map((n) => posted.findIndex((t) => t.includes(`Mid-run note ${n}`)));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(posted).toHaveLength(3);
      console.log(
        JSON.stringify({
          reliability: {
            test: 'slack-down-at-start',
            dialect,
            slackDownMs: downMs,
            alive: bot.alive(),
            alertsAccepted: alertStatuses.filter((s) => s === 202).length,
            commandsAnswered: declared.length,
            effectsWaiting: pendingWhileDown,
            incidents: audit.incidents,
            channels: audit.channels,
            effectsDelivered: audit.outboxDone,
            duplicates: audit.problems.length,
            midRunDownMs: midDownMs,
            midRunNotes: posted.length,
            midRunInOrder: true,
            effectsDeliveredAfterBoth: midAudit.outboxDone,
            duplicatesAfterBoth: midAudit.problems.length,
          },
        }),
      );
    },
  );
});

describe('process guards (sqlite)', () => {
  let fake: SlackFake | undefined;
  let tdb: TestDb | undefined;
  let bot: BotProcess | undefined;
  afterAll(async () => {
    bot?.kill9();
    await fake?.close();
    await tdb?.destroy();
  });

  it(
    'answers a signed JSON `null` or form `payload=null` body with 400 and keeps running',
    { timeout: 60_000 },
    async () => {
      fake = await startSlackFake();
      tdb = await createTestDb('sqlite');
      bot = await startBot(
        {
          slackApiUrl: fake.url,
          databaseUrl: tdb.url,
          nodeArgs: ['--import', './tests/helpers/unhandled-rejection.preload.mjs'],
        },
        60_000,
      );
      const url = `${bot.url}/slack/events`;
      const cases: Array<[string, 'application/json' | 'application/x-www-form-urlencoded']> = [
        ['null', 'application/json'],
        ['[]', 'application/json'],
        ['5', 'application/json'],
        ['payload=null', 'application/x-www-form-urlencoded'],
        ['payload=%22x%22', 'application/x-www-form-urlencoded'],
      ];
      const statuses: number[] = [];
      for (const [body, contentType] of cases) {
        // The old receiver never answered (its handler threw): 0 after 5 s.
        const res = await Promise.race([
          signedFetch(url, body, { secret: SIGNING_SECRET, contentType }),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000)),
        ]);
        statuses.push(res?.status ?? 0);
      }
      // The same bodies unsigned are 401, as every unsigned request is.
      const unsigned = await signedFetch(url, 'null', {
        secret: 'wrong-secret-0123456789',
        contentType: 'application/json',
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(statuses).toEqual([400, 400, 400, 400, 400]);
      expect(unsigned.status).toBe(401);
      expect(bot!.alive()).toBe(true);
      const after = await slash(bot!.url, fake!.responseUrl(), 'declare sev3 After a null body');
      expect(after.status).toBe(200);
      expect(await metric(bot!.url, 'revenant_unhandled_rejections_total')).toBe(0);
      console.log(
        JSON.stringify({
          reliability: { test: 'signed-null-body', statuses, unsigned: unsigned.status, alive: bot!.alive() },
        }),
      );
    },
  );

  it(
    'survives an unhandled promise rejection: logged, counted in /metrics, still serving',
    { timeout: 60_000 },
    async () => {
      // The same bot as above; a fresh one if the null body took it down.
      if (!bot?.alive())
        bot = await startBot(
          {
            slackApiUrl: fake!.url,
            databaseUrl: tdb!.url,
            nodeArgs: ['--import', './tests/helpers/unhandled-rejection.preload.mjs'],
          },
          60_000,
        );
      process.kill(bot.pid, 'SIGUSR2');
      await until(
        async () => bot!.logs().some((l) => String(l.msg).startsWith('unhandled promise rejection')) || !bot!.alive(),
        10_000,
        'the rejection',
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(bot.alive(), bot.output().slice(-2000)).toBe(true);
      expect(await metric(bot.url, 'revenant_unhandled_rejections_total')).toBe(1);
      const line = bot.logs().find((l) => String(l.msg).startsWith('unhandled promise rejection'));
      expect(JSON.stringify(line)).toContain('a rejection nobody handles');
      const after = await slash(bot.url, fake!.responseUrl(), 'declare sev3 Still here');
      expect(after.status).toBe(200);
      console.log(
        JSON.stringify({
          reliability: { test: 'unhandled-rejection', alive: bot.alive(), counted: 1, commandAfter: after.status },
        }),
      );
    },
  );
});
