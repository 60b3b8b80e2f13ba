import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/adapters/http/connectors.route';
import { STORM_TITLE } from '../../src/app/signal-ingest.service';
import { bearer, connector, genericSignal, overSocket } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * Issue 20's ingestion findings. (a) One webhook naming 100 breached services opened 100 incidents and
 * 100 channels: now at most AUTO_DECLARE_LIMIT per window, and the rest join one storm incident.
 * (b) One 1 MiB webhook (~18,700 alerts) held the event loop for 3–4 s: /healthz is now answered
 * while it is taken.
 */
const LIMIT = 5;
/**
 * Generous for a shared 2-core box under load (8 agents: a 10 ms slice can take ten times that); a request
 * that holds the loop for its whole length (as before: 3–4 s on a quiet box) fails both bounds below.
 */
const HEALTHZ_BOUND_MS = 1500;

/** A generic-JSON body of as many small alerts as fit under the 1 MiB limit, for one service. */
function maximalBody(): { body: string; alerts: number } {
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; ; i++) {
    // The smallest alerts the generic format takes (~56 bytes): the most alerts a request can carry.
    const a = JSON.stringify({ serviceName: 'b', status: 'firing', title: 'x', fingerprint: i.toString(36) });
    if (size + a.length + 1 > MAX_BODY_BYTES) break;
    parts.push(a);
    size += a.length + 1;
  }
  return { body: `[${parts.join(',')}]`, alerts: parts.length };
}

describe.each(dialects())('ingestion limits (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect, { AUTO_DECLARE_LIMIT: String(LIMIT), AUTO_DECLARE_WINDOW_MINUTES: '10' });
  });
  afterAll(async () => h?.close());

  const incidents = () =>
    h.tdb.db
      .selectFrom('incidents')
      .select(['id', 'title', 'service', 'signal_count'])
      .where('org_id', '=', TEAM)
      .orderBy('number')
      .execute();

  it(
    '100 breached services in one webhook open 5 incidents and one "alert storm across 95 services"',
    { timeout: 60_000 },
    async () => {
      const gen = await connector(h.tdb.db, TEAM, 'generic');
      const send = overSocket(h.app.url);
      const services = Array.from({ length: 100 }, (_, i) =>
        genericSignal({ serviceName: `svc-${i}`, severity: 'critical', fingerprint: `cap-${i}` }),
      );
      const r = await send(gen.id, JSON.stringify(services), bearer(gen.token));
      expect(r).toMatchObject({ status: 202, body: { accepted: 100, declared: LIMIT + 1, attached: 100 - LIMIT - 1 } });
      const opened = await incidents();
      expect(opened).toHaveLength(LIMIT + 1);
      expect(opened.slice(0, LIMIT).map((i) => i.service)).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4']);
      const storm = opened[LIMIT];
      expect(storm).toMatchObject({ title: `${STORM_TITLE} 95 services`, service: null, signal_count: 95 });

      // Within the window, more breached services (and a new alert of a service already in the storm) join it.
      const more = [
        genericSignal({ serviceName: 'svc-100', severity: 'critical', fingerprint: 'cap-100' }),
        genericSignal({ serviceName: 'svc-7', severity: 'critical', fingerprint: 'cap-7b' }),
      ];
      expect(await send(gen.id, JSON.stringify(more), bearer(gen.token))).toMatchObject({
        status: 202,
        body: { declared: 0, attached: 2 },
      });
      const after = await incidents();
      expect(after).toHaveLength(LIMIT + 1);
      expect(after[LIMIT]).toMatchObject({ id: storm.id, signal_count: 97 });
      await h.settle(20_000);
      expect(h.slack.callsTo('conversations.create').filter((c) => c.response.ok)).toHaveLength(LIMIT + 1);
      console.log(
        JSON.stringify({
          reliability: { test: 'auto-declare-cap', dialect, services: 101, incidents: after.length, stormSignals: 97 },
        }),
      );
    },
  );

  it(
    'a maximal 1 MiB webhook does not hold the event loop: /healthz answers meanwhile',
    { timeout: 180_000 },
    async () => {
      const gen = await connector(h.tdb.db, TEAM, 'generic');
      const { body, alerts } = maximalBody();
      expect(alerts).toBeGreaterThan(14_000);
      let done = false;
      const probes: number[] = [];
      const probe = (async () => {
        while (!done) {
          const t0 = performance.now();
          await (await fetch(`${h.app.url}/healthz`)).text();
          probes.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const t0 = performance.now();
      const r = await overSocket(h.app.url)(gen.id, body, bearer(gen.token));
      const took = performance.now() - t0;
      done = true;
      await probe;
      expect(r).toMatchObject({ status: 202, body: { accepted: alerts } });
      const worst = Math.max(...probes);
      console.log(
        JSON.stringify({
          reliability: {
            test: 'one-mib-webhook',
            dialect,
            alerts,
            requestMs: Math.round(took),
            healthzProbes: probes.length,
            worstHealthzMs: Math.round(worst),
          },
        }),
      );
      // The loop's delay is exposed as a histogram (one observation per second).
      const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
      expect(metrics).toMatch(/^revenant_event_loop_delay_seconds_count [1-9]/m);
      expect(probes.length).toBeGreaterThan(3);
      expect(worst).toBeLessThan(HEALTHZ_BOUND_MS);
      // However slow the box, the loop was free for most of the request: no probe waited a fifth of it.
      expect(worst).toBeLessThan(took / 5);
    },
  );
});
