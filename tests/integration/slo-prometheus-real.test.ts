import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLatestPostmortem } from '../../src/adapters/db/postmortem.repo';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { buildDigest } from '../../src/adapters/slack/digest/digest.delivery';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { createApiToken } from '../../src/app/api-tokens.service';
import { healthGrid } from '../../src/app/health-grid.service';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { runPostmortemCommand, testClock } from '../helpers/postmortem-slack.helpers';
import {
  burnHistory,
  prometheusPresent,
  type RunningPrometheus,
  startPrometheus,
  warnIfNoPrometheus,
} from '../helpers/prometheus';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

/**
 * The acceptance path against the real Prometheus: 30 days of backfilled counters with a fast burn
 * (6 % errors for 50 minutes, 60× a 99.9 % SLO's budget) → a page-level BREACHED signal → an incident on
 * checkout with the SLO in its pinned summary; evaluated after the burn → the signal clears; the incident's
 * SLOViolation has start, end and budget burned, and the postmortem's Impact says so.
 */
warnIfNoPrometheus('slo-prometheus-real');

const MIN = 60_000;
const END = Math.floor(Date.now() / (5 * MIN)) * 5 * MIN - 5 * MIN;
const history = burnHistory({
  metric: 'checkout_requests',
  end: END,
  burnFrom: END - 100 * MIN,
  burnTo: END - 50 * MIN,
  burnPerMinute: 60,
});
// search: a slow burn (0.3 % errors, 3× the budget) for the last 4 days: a ticket, never a page.
const slow = burnHistory({
  metric: 'search_requests',
  end: END,
  burnFrom: END - 4 * 86_400_000,
  burnTo: END,
  burnPerMinute: 3,
  labels: '{service="search"}',
});
const T0 = END - 105 * MIN; // before the burn
const T1 = END - 50 * MIN; // its last minute
const T2 = END - 10 * MIN; // 40 minutes after it stopped
const WINDOW = 28 * 86_400_000;

/** Budget left over the 28 days before `t`, computed from the generated samples (what Prometheus must give). */
function budgetAt(t: number): number {
  const a = history.at(t - WINDOW);
  const b = history.at(t);
  const total = b.total - a.total;
  const bad = total - (b.good - a.good);
  return 1 - bad / total / 0.001;
}

const SLO = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  service: checkout
  indicator:
    metadata: { name: checkout-requests }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: 'sum(checkout_requests_good_total)' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(checkout_requests_total)' } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
`;

const SEARCH_SLO = SLO.replaceAll('checkout', 'search').replace('Checkout availability', 'Search availability');

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-checkout }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations: { revenant/tier: "2" }
spec: { type: service, owner: team-checkout, lifecycle: production }
`;

describe.skipIf(!prometheusPresent)('SLOs against the real Prometheus', () => {
  let prom: RunningPrometheus;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-slo-'));
    mkdirSync(path.join(dir, 'slos'));
    mkdirSync(path.join(dir, 'catalog'));
    writeFileSync(path.join(dir, 'slos', 'checkout.yaml'), SLO);
    writeFileSync(path.join(dir, 'slos', 'search.yaml'), SEARCH_SLO);
    writeFileSync(path.join(dir, 'catalog', 'catalog-info.yaml'), CATALOG);
    prom = await startPrometheus({ openMetrics: history.openMetrics.replace('# EOF\n', '') + slow.openMetrics });
  }, 120_000);
  afterAll(async () => {
    await prom?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe.each(dialects())('fast burn → incident → cleared → SLOViolation → postmortem (%s)', (dialect) => {
    let h: Harness;
    const clock = testClock();
    const evaluate = (t: number) => {
      clock.set(new Date(t).toISOString());
      return h.app.deps.slos!.service.evaluateOrg(TEAM, new Date(t));
    };
    let inc: IncidentRow;

    beforeAll(async () => {
      h = await startHarness(
        dialect,
        {
          SLOS_PATH: path.join(dir, 'slos'),
          CATALOG_PATH: path.join(dir, 'catalog'),
          PROMETHEUS_URL: prom.url,
          SLO_ORG: TEAM,
        },
        { now: clock.now, startScheduler: false },
      );
    }, 60_000);
    afterAll(async () => h?.close());

    it('before the burn: healthy, the budget Prometheus gives is the hand-computed one; a slow burn is a ticket', async () => {
      const r = await evaluate(T0);
      expect(r.evaluations.map((x) => x.slo)).toEqual(['checkout-availability', 'search-availability']);
      const e = r.evaluations[0];
      expect(e).toMatchObject({ slo: 'checkout-availability', status: 'healthy', alert: 'none' });
      // 1 failure per 5,000 requests: a 0.2× burn, 80 % of the budget left.
      expect(e.budgetRemaining).toBeCloseTo(0.8, 6);
      expect(e.burnRates?.['5m']).toBeCloseTo(0.2, 6);
      // search: 3 + 0.2 failures a minute per 1,000 = 3.2× over 3d and 6h, under 6× and 14.4×.
      const s2 = r.evaluations[1];
      expect(s2).toMatchObject({ status: 'at_risk', alert: 'ticket' });
      expect(s2.burnRates?.['3d']).toBeCloseTo(3.2, 6);
      expect(s2.burnRates?.['6h']).toBeCloseTo(3.2, 6);
      expect(r.raised).toEqual(['slo:search-availability:ticket']);
      const watch = await h.tdb.db
        .selectFrom('watchlist')
        .selectAll()
        .where('org_id', '=', TEAM)
        .where('service', '=', 'search')
        .executeTakeFirstOrThrow();
      expect(watch.status).toBe('AT_RISK');
      // AT_RISK opens no incident.
      expect(await h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).execute()).toEqual([]);
    });

    it('during the burn: page-level BREACHED signal → an incident for checkout with the SLO in its summary', async () => {
      const r = await evaluate(T1);
      const e = r.evaluations.find((x) => x.slo === 'checkout-availability')!;
      expect(e.status).toBe('breached');
      expect(e.alert).toBe('page');
      // 5m: 61 failures in 5,000 requests... per minute 60 + one every 5th: (300 + 1) / 5000 / 0.001
      expect(e.burnRates?.['5m']).toBeCloseTo(60.2, 6);
      // 3d stays under 1× (3,000 burst failures + 864 baseline over 4.32 M requests): no ticket.
      expect(e.burnRates?.['3d']).toBeLessThan(1);
      expect(r.raised).toEqual(['slo:checkout-availability:page']);
      inc = await waitFor(
        async () => {
          const row = await h.tdb.db
            .selectFrom('incidents')
            .selectAll()
            .where('org_id', '=', TEAM)
            .where('service', '=', 'checkout')
            .executeTakeFirst();
          return row?.summary_ts ? row : undefined;
        },
        15_000,
        'incident with its summary',
      );
      expect(inc.title).toBe('SLO Checkout availability: fast error-budget burn (page)');
      expect(inc.created_at).toBe(new Date(T1).toISOString());
      const watch = await h.tdb.db
        .selectFrom('watchlist')
        .selectAll()
        .where('org_id', '=', TEAM)
        .where('service', '=', 'checkout')
        .executeTakeFirstOrThrow();
      expect(watch.status).toBe('BREACHED');
      await h.settle();
      const summary = h.slack.messages(inc.channel_id!).find((m) => m.ts === inc.summary_ts)!;
      expect(JSON.stringify(summary.blocks)).toContain('`checkout-availability` breached since');
      // A second evaluation of the same burn is a repeat: nothing new raised.
      expect((await evaluate(T1 + MIN)).raised).toEqual([]);
    });

    it('after the burn: the signal clears, SLOViolation has start, end and budget burned', async () => {
      const r = await evaluate(T2);
      expect(r.evaluations.find((x) => x.slo === 'checkout-availability')!.alert).toBe('none');
      expect(r.cleared).toEqual(['slo:checkout-availability:page']);
      const sig = await h.tdb.db
        .selectFrom('incident_signals')
        .selectAll()
        .where('incident_id', '=', inc.id)
        .executeTakeFirstOrThrow();
      expect(sig).toMatchObject({ source: 'slo', status: 'resolved', fingerprint: 'slo:checkout-availability:page' });
      const watch = await h.tdb.db
        .selectFrom('watchlist')
        .selectAll()
        .where('org_id', '=', TEAM)
        .where('service', '=', 'checkout')
        .executeTakeFirstOrThrow();
      expect(watch.status).toBe('CLEARED');
      clock.run(); // paced summary edits are due a moment after the frozen instant
      await h.settle();
      const summary = h.slack.messages(inc.channel_id!).find((m) => m.ts === inc.summary_ts)!;
      expect(JSON.stringify(summary.blocks)).toMatch(
        /`checkout-availability` breached from .* of the 28d error budget burned/,
      );

      const { secret } = await createApiToken(h.tdb.db, {
        orgId: TEAM,
        role: 'viewer',
        name: 'slo',
        createdBy: 'test',
        now: new Date(),
      });
      const api = await apiClient(h.app.url);
      const got = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${inc.id}`, { token: secret });
      expect(got.status).toBe(200);
      // Budget left before the burn minus after it: 80 % − 72.58 % ≈ 7.4 % of the 28-day budget.
      const burned = budgetAt(T0) - budgetAt(T2);
      expect(burned).toBeCloseTo(0.0742, 3);
      expect(got.body.sloViolations).toHaveLength(1);
      const v = got.body.sloViolations[0];
      expect(v).toMatchObject({
        slo: 'checkout-availability',
        service: 'checkout',
        startedAt: new Date(T1).toISOString(),
        endedAt: new Date(T2).toISOString(),
        window: '28d',
      });
      expect(v.budgetBurned).toBeCloseTo(burned, 6);
      // The read model is projected from the log: a rebuild gives the same rows.
      const rows = () => h.tdb.db.selectFrom('slo_violations').selectAll().orderBy('incident_id').execute();
      const projected = await rows();
      await rebuildProjections(h.tdb.db);
      expect(await rows()).toEqual(projected);

      const slos = await api.call('GET', `/api/v1/orgs/${TEAM}/slos`, { token: secret });
      expect(slos.body.items[0]).toMatchObject({
        name: 'checkout-availability',
        target: 0.999,
        latest: { status: 'healthy' },
      });
      expect(slos.body.items[1]).toMatchObject({
        name: 'search-availability',
        latest: { status: 'at_risk', alert: 'ticket' },
      });
      const grid = await healthGrid(h.app.deps, TEAM);
      expect(grid.rows.map((x) => `${x.service}:${x.status}`)).toEqual(['checkout:breached', 'search:at_risk']); // checkout's incident is still open
      expect(grid.rows[0]).toMatchObject({ owner: 'team-checkout', tier: 2 });
      expect(grid.rows[0].slos[0].budgetRemaining).toBeCloseTo(budgetAt(T2), 6);
      const digest = await buildDigest(h.tdb.db, TEAM, { timeZone: 'UTC', now: new Date() });
      expect(JSON.stringify(digest.blocks)).toContain(
        '*SLOs* :large_yellow_circle: 1 at risk · :large_green_circle: 1 healthy · least budget left: `search-availability`',
      );
    });

    it("the postmortem's Impact states the SLO and the budget it consumed", async () => {
      await h.command('status resolved Error rate back to normal', { channel: inc.channel_id! });
      await h.settle();
      await runPostmortemCommand(h, inc);
      const md = (await getLatestPostmortem(h.tdb.db, TEAM, inc.id))!.markdown;
      const impact = md.slice(md.indexOf('## Impact'), md.indexOf('\n## ', md.indexOf('## Impact') + 5));
      expect(impact).toContain('- **SLO checkout-availability:** breached from');
      expect(impact).toContain('(40m), consumed 7.4 % of the 28-day error budget');
    });
  });
});
