import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connector, overSocket, type Sent } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * An alert storm on loopback: 10,000 alerts for one service and environment — Alertmanager batches of
 * 100 (some re-sent whole, as after a connection reset) interleaved with single generic POSTs (some
 * repeated) — sent 8 requests at a time. Exactly one incident, every alert accounted for, and a
 * bounded number of Slack writes once the coalesced edits have gone out.
 */
const SERVICE = 'storm-svc';
const BATCHES = 90; // × 100 alerts, 10 of them exact re-sends → 8,000 distinct
const RESENT_BATCHES = 10;
const SINGLES = 1_000; // 250 of them repeats → 750 distinct
const REPEATED_SINGLES = 250;
const DISTINCT = (BATCHES - RESENT_BATCHES) * 100 + SINGLES - REPEATED_SINGLES;
const CONCURRENCY = 8;
const MAX_SLACK_WRITES = 20;

const startsAt = new Date(Date.now() - 60_000).toISOString();

function amBatch(b: number) {
  return {
    receiver: 'revenant',
    status: 'firing',
    version: '4',
    groupKey: `{}:{service="${SERVICE}"}`,
    truncatedAlerts: 0,
    groupLabels: { service: SERVICE },
    commonLabels: { service: SERVICE, env: 'prod' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: Array.from({ length: 100 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: 'PodCrashLooping', service: SERVICE, env: 'prod', severity: 'critical', pod: `pod-${b}-${i}` },
      annotations: { summary: `pod-${b}-${i} is crash looping`, description: 'restarted 5 times in 10 minutes' },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph',
      fingerprint: `b${String(b).padStart(3, '0')}i${String(i).padStart(3, '0')}ffffff`,
    })),
  };
}

const single = (n: number) => ({ serviceName: SERVICE, environment: 'prod', status: 'firing', title: `synthetic probe ${n} failing`, severity: 'critical', startsAt, fingerprint: `probe-${n}` });

describe.each(dialects())('alert storm (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  it('10,000 alerts for one service: one incident, none lost, at most 20 Slack writes', { timeout: 180_000 }, async () => {
    const am = await connector(h.tdb.db, TEAM, 'alertmanager');
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    const send = overSocket(h.app.url);

    // Interleave batches among the singles; re-sends and repeats come after their originals.
    const jobs: Array<{ alerts: number; run: () => Promise<Sent> }> = [];
    let b = 0;
    for (let s = 0; s < SINGLES; s++) {
      const distinct = SINGLES - REPEATED_SINGLES;
      const n = s < distinct ? s : s - distinct + 100; // repeats of probes 100..349
      jobs.push({ alerts: 1, run: () => send(gen.id, JSON.stringify(single(n)), bearer(gen.token)) });
      if (s % Math.ceil(SINGLES / BATCHES) === 0 && b < BATCHES) {
        const which = b < BATCHES - RESENT_BATCHES ? b : b - (BATCHES - RESENT_BATCHES); // re-send batches 0..9
        jobs.push({ alerts: 100, run: () => send(am.id, JSON.stringify(amBatch(which)), bearer(am.token)) });
        b++;
      }
    }
    while (b < BATCHES) {
      const which = b < BATCHES - RESENT_BATCHES ? b : b - (BATCHES - RESENT_BATCHES);
      jobs.push({ alerts: 100, run: () => send(am.id, JSON.stringify(amBatch(which)), bearer(am.token)) });
      b++;
    }
    expect(jobs.reduce((n, j) => n + j.alerts, 0)).toBe(10_000);

    const started = performance.now();
    const results: Sent[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) results.push(await jobs[next++].run());
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`[storm ${dialect}] ${jobs.length} requests, 10000 alerts in ${seconds.toFixed(1)} s (${Math.round(10_000 / seconds)} alerts/s)`);

    expect(results.filter((r) => r.status !== 202)).toEqual([]);
    const accepted = results.reduce((n, r) => n + r.body.accepted, 0);
    const duplicates = results.reduce((n, r) => n + r.body.duplicates, 0);
    const declared = results.reduce((n, r) => n + r.body.declared, 0);
    const attached = results.reduce((n, r) => n + r.body.attached, 0);
    expect(accepted).toBe(10_000);
    expect(duplicates).toBe(RESENT_BATCHES * 100 + REPEATED_SINGLES);
    expect(declared).toBe(1);
    expect(attached + declared + duplicates).toBe(10_000);

    const db = h.tdb.db;
    const incidents = await db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).execute();
    expect(incidents).toHaveLength(1);
    const [inc] = incidents;
    expect(inc).toMatchObject({ service: SERVICE, environment: 'prod', signal_count: DISTINCT, open_signal_count: DISTINCT, source: 'auto' });
    const receipts = await db.selectFrom('signal_receipts').select(['incident_id']).where('org_id', '=', TEAM).execute();
    expect(receipts).toHaveLength(DISTINCT);
    expect(receipts.every((r) => r.incident_id === inc.id)).toBe(true);
    expect(await db.selectFrom('watchlist').selectAll().where('service', '=', SERVICE).executeTakeFirst()).toMatchObject({ status: 'BREACHED', firing_count: DISTINCT, incident_id: inc.id });

    // Let the coalesced summary edit and roll-up (delayed up to 20 s under a storm) go out.
    await h.settle(60_000);
    const writes = h.slack.writeCalls();
    console.log(`[storm ${dialect}] Slack writes: ${writes.length} (${writes.map((w) => w.method).join(', ')})`);
    expect(writes.length).toBeLessThanOrEqual(MAX_SLACK_WRITES);
    const done = await db.selectFrom('incidents').selectAll().where('id', '=', inc.id).executeTakeFirstOrThrow();
    expect(done.channel_id).toBeTruthy();
    // The summary and the roll-up show the final count: nothing was dropped on the way to Slack either.
    const channelMessages = h.slack.messages(done.channel_id!);
    expect(JSON.stringify(channelMessages.find((m) => m.ts === done.summary_ts)?.blocks)).toContain(`${DISTINCT} firing / ${DISTINCT} total`);
    const rollup = writes.filter((w) => w.params.channel === done.channel_id && (w.params.thread_ts || w.method === 'chat.update') && String(w.params.text ?? '').includes('signals* on this incident'));
    expect(rollup.length).toBeGreaterThan(0);
    expect(String(rollup.at(-1)!.params.text)).toContain(`*${DISTINCT} signals* on this incident (${DISTINCT} firing)`);
    // Per channel, new messages stay well under Slack's ~1 per second.
    const posts = writes.filter((w) => w.method === 'chat.postMessage' && w.params.channel === done.channel_id);
    expect(posts.length).toBeLessThanOrEqual(3);
  });
});
