import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../src/adapters/prometheus/prometheus.client';
import { healthGrid } from '../../src/app/health-grid.service';
import { createSloService, listSlos } from '../../src/app/slo.service';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import {
  freePort,
  prometheusPresent,
  type RunningPrometheus,
  startPrometheus,
  warnIfNoPrometheus,
} from '../helpers/prometheus';
import { dialects } from '../helpers/test-db';

/**
 * The live path: Prometheus scrapes a tiny exporter this test controls, and SLOs with `{{.window}}`
 * queries are evaluated through the real HTTP API. Also every way Prometheus can fail an evaluation
 * (down, slow, an error, an empty vector, NaN): the SLO is "unknown", never healthy, and the last good
 * numbers are kept.
 */
warnIfNoPrometheus('slo-prometheus-live');

const slo = (name: string, service: string, good: string, total: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: ${service}
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: Prometheus, spec: { query: '${good}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: '${total}' } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives: [{ target: 0.999 }]
`;

describe.skipIf(!prometheusPresent).each(dialects())('SLOs on a live scrape (real Prometheus, %s)', (dialect) => {
  let prom: RunningPrometheus;
  let exporter: Server;
  let hang: Server;
  let dir = '';
  let failing = false;
  const counters = { total: 0, good: 0 };

  beforeAll(async () => {
    // Each scrape: 100 more requests; all good, or half of them failing.
    exporter = createServer((req, res) => {
      counters.total += 100;
      counters.good += failing ? 50 : 100;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# TYPE live_requests_total counter\nlive_requests_total ${counters.total}\n` +
          `# TYPE live_requests_good_total counter\nlive_requests_good_total ${counters.good}\n`,
      );
    });
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', () => r()));
    // Accepts and never answers: a Prometheus that is too slow.
    hang = createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-slo-live-'));
    const inc = (m: string) => `sum(increase(${m}[{{.window}}]))`;
    writeFileSync(
      path.join(dir, 'live.yaml'),
      slo('live-availability', 'live', inc('live_requests_good_total'), inc('live_requests_total')),
    );
    writeFileSync(
      path.join(dir, 'broken.yaml'),
      [
        slo(
          'bad-query',
          'broken',
          'sum(rate(live_requests_good_total[{{.window}}]',
          'sum(rate(live_requests_total[{{.window}}]))',
        ),
        slo('no-data', 'empty', inc('nothing_good_total'), inc('nothing_total')),
        slo('nan-ratio', 'nan', 'vector(0) / vector(0)', 'vector(1)'),
      ].join('---\n'),
    );
    const port = (exporter.address() as AddressInfo).port;
    prom = await startPrometheus({ scrape: { target: `127.0.0.1:${port}`, intervalS: 1 } });
  }, 120_000);
  afterAll(async () => {
    await prom?.stop();
    await new Promise((r) => exporter?.close(r));
    hang?.closeAllConnections();
    await new Promise((r) => hang?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Each dialect gets its own exporter and Prometheus: the failing phase of one must not be in the other's windows.
  describe('evaluations', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(
        dialect,
        { SLOS_PATH: dir, PROMETHEUS_URL: prom.url, SLO_ORG: TEAM },
        { startScheduler: false },
      );
      const client = createPrometheusClient({ url: prom.url, timeoutMs: 5000 });
      await waitFor(
        async () => (await client.instant('count_over_time(live_requests_total[1m])', new Date()).catch(() => 0)) >= 3,
        30_000,
        'three scrapes',
      );
    }, 60_000);
    afterAll(async () => h?.close());

    it('healthy traffic: healthy; a broken query, an empty vector and NaN are unknown with the reason', async () => {
      failing = false;
      const r = await h.app.deps.slos!.service.evaluateOrg(TEAM, new Date());
      const by = new Map(r.evaluations.map((e) => [e.slo, e]));
      expect(by.get('live-availability')).toMatchObject({ status: 'healthy', alert: 'none', budgetRemaining: 1 });
      expect(by.get('bad-query')).toMatchObject({ status: 'unknown' });
      expect(by.get('bad-query')!.problem).toMatch(
        /^Prometheus refused "sum\(rate\(live_requests_good_total\[\w+\]" \(bad_data\): /,
      );
      expect(by.get('no-data')!.problem).toContain('returned no data (an empty vector)');
      expect(by.get('nan-ratio')!.problem).toContain('returned NaN');
      expect(r.raised).toEqual([]);
    });

    it('Prometheus down or too slow: unknown with the problem, the last good numbers kept, never healthy', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const slow = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
      for (const [url, problem] of [
        [closed, `Prometheus at ${closed} is unreachable: ECONNREFUSED`],
        [slow, `Prometheus at ${slow} did not answer within 300 ms (PROMETHEUS_TIMEOUT_MS)`],
      ] as const) {
        const service = createSloService({
          ...h.app.deps,
          sloSource: h.app.deps.slos!.source,
          prometheus: createPrometheusClient({ url, timeoutMs: 300 }),
        });
        const r = await service.evaluateOrg(TEAM, new Date());
        const live = r.evaluations.find((e) => e.slo === 'live-availability')!;
        expect(live).toMatchObject({ status: 'unknown', problem });
        const listed = await listSlos({ ...h.app.deps, sloSource: h.app.deps.slos!.source }, TEAM);
        const view = listed.slos.find((s) => s.name === 'live-availability')!;
        expect(view.latest).toMatchObject({ status: 'unknown', problem });
        expect(view.lastGood).toMatchObject({ status: 'healthy', budgetRemaining: 1 });
        const row = (await healthGrid(h.app.deps, TEAM)).rows.find((x) => x.service === 'live')!;
        expect(row.status).toBe('unknown');
        expect(row.slos[0]).toMatchObject({ status: 'unknown', budgetRemaining: 1, problem });
      }
    });

    it('errors start on the exporter: a page-level burn raises a BREACHED signal for the service', async () => {
      failing = true;
      const r = await waitFor(
        async () => {
          const x = await h.app.deps.slos!.service.evaluateOrg(TEAM, new Date());
          return x.raised.length ? x : undefined;
        },
        30_000,
        'a page-level burn',
      );
      expect(r.raised).toContain('slo:live-availability:page');
      const live = r.evaluations.find((e) => e.slo === 'live-availability')!;
      expect(live.status).toBe('breached');
      expect(live.burnRates!['5m']).toBeGreaterThan(14.4);
      const watch = await h.tdb.db
        .selectFrom('watchlist')
        .selectAll()
        .where('org_id', '=', TEAM)
        .where('service', '=', 'live')
        .executeTakeFirstOrThrow();
      expect(watch.status).toBe('BREACHED');
      expect(watch.source).toBe('slo');
      failing = false;
    });
  });
});
