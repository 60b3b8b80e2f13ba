import { afterAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import type { RecordedCall } from '../../src/adapters/slack-fake/slack-fake.types';
import { bearer, connector } from '../helpers/alerts';
import { type BotProcess, type SlashResult, slash, startBot } from '../helpers/process-harness';
import { auditEffects, loggedTriggers, outboxSettled, projectionsVersusRebuild } from '../helpers/reliability-checks';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

/**
 * The bot runs as a real child process. It is SIGKILLed inside the Slack fake's handler of a chosen call
 * (so Slack has acted and the bot never hears back) while a burst of slash commands is on the wire,
 * restarted on the same database, and at the end we prove: every request that got a 2xx is in the log,
 * every effect reached Slack exactly once, and the read models equal a rebuild from the log.
 */

const TEAM = 'T0001';
const USERS = ['U0001', 'U0002', 'U0003', 'U0005'];
const FAILED_REPLY = /:warning:|:x:|Something went wrong/;

interface Item {
  text: string;
  user: string;
  channel?: string;
}

/** The bot under test, restarted on the same database whenever it dies (until `stop`). */
class Supervisor {
  bot!: BotProcess;
  restarts = 0;
  private stopping = false;
  constructor(private readonly env: Parameters<typeof startBot>[0]) {}
  async start() {
    this.bot = await startBot(this.env);
    this.watch(this.bot);
  }
  private watch(b: BotProcess) {
    void b.exited.then(async () => {
      if (this.stopping || this.bot !== b) return;
      this.bot = await startBot(this.env);
      this.restarts++;
      this.watch(this.bot);
    });
  }
  /** Wait for a replacement of `dead` to be up. */
  async replaced(dead: BotProcess, timeoutMs = 30_000) {
    const end = Date.now() + timeoutMs;
    while (this.bot === dead) {
      if (Date.now() > end) throw new Error('bot was not restarted');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async stop() {
    this.stopping = true;
    return this.bot.term();
  }
}

/**
 * Send every item with `concurrency` in flight. A request the dying bot never answers counts as
 * failed (Slack does not retry slash commands; the user would); the lane then waits for the restart.
 */
async function burst(sup: Supervisor, fake: SlackFake, items: Item[], concurrency: number): Promise<SlashResult[]> {
  const out: SlashResult[] = [];
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let it = queue.shift(); it; it = queue.shift()) {
        const bot = sup.bot;
        const r = await slash(bot.url, fake.responseUrl(), it.text, { user: it.user, channel: it.channel });
        out.push(r);
        if (r.status === 0) await sup.replaced(bot);
      }
    }),
  );
  return out;
}

/** An alert storm on two services: Alertmanager batches for one, single generic alerts for the other. */
function stormRequests(am: { id: string; token: string }, gen: { id: string; token: string }) {
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const reqs: Array<{ connector: { id: string; token: string }; body: string; fingerprints: string[] }> = [];
  for (let b = 0; b < 40; b++) {
    const alerts = Array.from({ length: 25 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: 'PodCrashLooping', service: 'storm-api', env: 'prod', severity: 'critical', pod: `pod-${b}-${i}` },
      annotations: { summary: `pod-${b}-${i} is crash looping` },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: `am${b}x${i}`,
    }));
    const body = { receiver: 'revenant', status: 'firing', version: '4', groupKey: '{}:{service="storm-api"}', groupLabels: { service: 'storm-api' }, commonLabels: { service: 'storm-api', env: 'prod' }, commonAnnotations: {}, externalURL: 'http://am.example', alerts };
    reqs.push({ connector: am, body: JSON.stringify(body), fingerprints: alerts.map((a) => a.fingerprint) });
    for (let k = 0; k < 5; k++) {
      const fp = `gen${b}x${k}`;
      const one = { serviceName: 'storm-db', environment: 'prod', status: 'firing', title: `replica ${fp} lagging`, severity: 'critical', startsAt, fingerprint: fp };
      reqs.push({ connector: gen, body: JSON.stringify(one), fingerprints: [fp] });
    }
  }
  return reqs;
}

describe.each(dialects())('crash safety: SIGKILL mid-burst, restart (%s)', (dialect) => {
  let fake: SlackFake;
  let tdb: TestDb;
  let sup: Supervisor | undefined;
  afterAll(async () => {
    if (sup?.bot.alive()) await sup.stop();
    await fake?.close();
    await tdb?.destroy();
  });

  it('every 2xx request is in the log, every effect lands exactly once, projections equal a rebuild', { timeout: 120_000 }, async () => {
    const started = Date.now();
    fake = await startSlackFake();
    const announce = fake.addChannel({ name: 'incidents' });
    tdb = await createTestDb(dialect);
    sup = new Supervisor({ slackApiUrl: fake.url, databaseUrl: tdb.url, extra: { OUTBOX_LEASE_MS: '1000', ANNOUNCE_CHANNEL: announce.id } });
    await sup.start();
    const sent: SlashResult[] = [];
    const kills: string[] = [];

    /** SIGKILL inside the fake's handler of the nth successful matching call: the effect is in Slack, the answer never arrives. */
    const killOn = (what: string, match: (c: RecordedCall) => boolean, nth: number) => {
      let n = 0;
      const onCall = (c: RecordedCall) => {
        if (c.response.ok !== true || !match(c) || ++n !== nth) return;
        fake.off('call', onCall);
        sup!.bot.kill9();
        kills.push(what);
      };
      fake.on('call', onCall);
    };
    const incidents = () => tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).orderBy('number').execute();
    const channelsReady = async (n: number) => {
      const end = Date.now() + 30_000;
      for (;;) {
        const rows = await incidents();
        if (rows.length >= n && rows.every((r) => r.channel_id && r.summary_ts)) return rows;
        if (Date.now() > end) throw new Error(`channels not ready: ${rows.filter((r) => r.channel_id && r.summary_ts).length}/${n}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const isSummary = (c: RecordedCall) => JSON.stringify(c.params.metadata ?? '').includes('summary:');

    // 1. A burst of declarations; the bot dies right after Slack created the third channel.
    killOn('after conversations.create #3 (channel made, LinkChannel not committed)', (c) => c.method === 'conversations.create', 3);
    sent.push(...(await burst(sup, fake, Array.from({ length: 24 }, (_, i) => ({ text: `declare sev2 Checkout outage ${i + 1}`, user: USERS[i % USERS.length] })), 4)));
    let open = await channelsReady((await incidents()).length);

    const commands = (n: number, rows: typeof open, tag: string): Item[] =>
      Array.from({ length: n }, (_, i) => {
        const inc = rows[i % rows.length];
        const verb = ['note', 'action', 'update'][i % 3];
        return { text: `${verb} ${tag} ${i + 1} on INC-${inc.number}`, user: USERS[i % USERS.length], channel: inc.channel_id! };
      });
    // 2. An alert storm (1,200 alerts in 240 requests) and a burst of commands at the same time; the bot dies
    //    after the storm's 60th accepted request, with storm requests and commands in flight.
    const am = await connector(tdb.db, TEAM, 'alertmanager');
    const gen = await connector(tdb.db, TEAM, 'generic');
    const storm = stormRequests(am, gen);
    const stormResults: Array<{ status: number; fingerprints: string[] }> = [];
    let acceptedStorm = 0;
    const stormLane = async (queue: typeof storm) => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const bot = sup!.bot;
        const res = await fetch(`${bot.url}/connectors/${r.connector.id}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(r.connector.token) }, body: r.body }).catch(() => undefined);
        stormResults.push({ status: res?.status ?? 0, fingerprints: r.fingerprints });
        await res?.text();
        if (res?.status === 202 && ++acceptedStorm === 60) {
          bot.kill9();
          kills.push('mid alert storm and command burst');
        }
        // Alertmanager re-sends a request that got no answer, once the bot is back.
        if (!res) {
          await sup!.replaced(bot);
          queue.unshift(r);
        }
      }
    };
    const stormQueue = [...storm];
    await Promise.all([stormLane(stormQueue), stormLane(stormQueue), stormLane(stormQueue), burst(sup, fake, commands(90, open, 'storm'), 4).then((r) => sent.push(...r))]);

    // 3. A burst of commands in the incident channels; the bot dies right after Slack took the 15th timeline post.
    killOn('after chat.postMessage #15 (post made, outbox row not settled)', (c) => c.method === 'chat.postMessage' && !isSummary(c), 15);
    sent.push(...(await burst(sup, fake, commands(150, open, 'burst'), 6)));

    // 4. New declarations mixed with more commands; the bot dies right after Slack took a summary post.
    killOn('after the summary chat.postMessage (summary made, RecordSummary not committed)', isSummary, 1);
    const mixed = commands(60, open, 'mixed').flatMap((c, i) => (i % 10 === 0 ? [{ text: `declare sev1 Payments down ${i / 10 + 1}`, user: USERS[i % USERS.length] }, c] : [c]));
    sent.push(...(await burst(sup, fake, mixed, 6)));

    open = await channelsReady((await incidents()).length);
    await outboxSettled(tdb.db, 60_000);
    const term = await sup.stop();
    expect(term.code).toBe(0);

    expect(kills).toHaveLength(4);
    expect(sup.restarts).toBe(4);
    // Every alert of every accepted storm request is recorded (a receipt per alert state).
    const receipts = await tdb.db.selectFrom('signal_receipts').select('dedup_key').where('org_id', '=', TEAM).execute();
    const received = new Set(receipts.map((r) => r.dedup_key.split('|')[2]));
    const stormAccepted = stormResults.filter((r) => r.status === 202);
    expect(stormResults.filter((r) => r.status !== 202 && r.status !== 0)).toEqual([]);
    expect(stormAccepted.flatMap((r) => r.fingerprints).filter((f) => !received.has(f))).toEqual([]);
    expect(received.size).toBe(40 * 30);
    const stormIncidents = await tdb.db.selectFrom('incidents').select(['service', 'signal_count']).where('source', '=', 'auto').orderBy('service').execute();
    expect(stormIncidents).toEqual([
      { service: 'storm-api', signal_count: 1000 },
      { service: 'storm-db', signal_count: 200 },
    ]);
    const accepted = sent.filter((s) => s.status >= 200 && s.status < 300);
    for (const a of accepted) expect(a.body?.text ?? '', a.text).not.toMatch(FAILED_REPLY);
    const logged = await loggedTriggers(tdb.db, TEAM, sent.map((s) => s.triggerId));
    const lost = accepted.filter((a) => !logged.has(a.triggerId));
    expect(lost.map((l) => l.text)).toEqual([]);
    // Events the log must hold once per incident, whatever the crashes.
    const perIncident = await tdb.db
      .selectFrom('incident_events')
      .select(['incident_id', 'type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('type', 'in', ['INCIDENT_CREATED', 'CHANNEL_LINKED', 'SUMMARY_POSTED'])
      .groupBy(['incident_id', 'type'])
      .execute();
    expect(perIncident.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(perIncident).toHaveLength(open.length * 3);

    const audit = await auditEffects(tdb.db, fake, TEAM);
    expect(audit.problems).toEqual([]);
    const { live, rebuilt, events } = await projectionsVersusRebuild(tdb.db);
    expect(rebuilt).toEqual(live);

    console.log(
      JSON.stringify({
        reliability: 'crash',
        dialect,
        kills: kills.length,
        requests: sent.length,
        acked2xx: accepted.length,
        noAnswer: sent.length - accepted.length,
        loggedWithoutAnswer: sent.filter((s) => s.status === 0 && logged.has(s.triggerId)).length,
        lostAfter2xx: lost.length,
        stormRequests: stormResults.length,
        stormAccepted: stormAccepted.length,
        stormNoAnswerResent: stormResults.filter((r) => r.status === 0).length,
        alertsRecorded: received.size,
        incidents: audit.incidents,
        channels: audit.channels,
        slackMessagesWithEffect: audit.messagesWithEffect,
        outboxDone: audit.outboxDone,
        duplicates: audit.problems.length,
        events,
        projectionsEqualRebuild: true,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      }),
    );
  });
});
