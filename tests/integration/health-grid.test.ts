import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvaluation } from '../../src/adapters/db/slo.repo';
import { createApiToken } from '../../src/app/api-tokens.service';
import type { SloEvaluation } from '../../src/slos/slo.types';
import { bearer, connector, genericSignal } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

/**
 * The health grid for a fixture catalog: search is healthy, payments is at risk (a ticket-level burn),
 * checkout is breached (an open incident), ledger is unknown (Prometheus did not answer), and notify has no
 * SLO and no alerts. `/incident health` (signed like Slack), `GET /services`, `GET /services/:name/health`.
 */
const component = (name: string, owner: string, tier: number) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: ${name}, annotations: { revenant/tier: "${tier}" } }
spec: { type: service, owner: ${owner}, lifecycle: production }
`;
const slo = (name: string, service: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: ${service}
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { spec: { query: 'sum(rate(good[{{.window}}]))' } } }
        total: { metricSource: { spec: { query: 'sum(rate(total[{{.window}}]))' } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives: [{ target: 0.999 }]
`;

describe.each(dialects())('health grid (%s)', (dialect) => {
  let h: Harness;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-grid-'));
    mkdirSync(path.join(dir, 'catalog'));
    mkdirSync(path.join(dir, 'slos'));
    writeFileSync(
      path.join(dir, 'catalog', 'catalog-info.yaml'),
      [
        'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: team-a }\nspec: { type: team, children: [] }\n',
        component('search', 'team-a', 3),
        component('payments', 'team-a', 1),
        component('checkout', 'team-a', 2),
        component('ledger', 'team-a', 2),
        component('notify', 'team-a', 4),
      ].join('---\n'),
    );
    writeFileSync(
      path.join(dir, 'slos', 'slos.yaml'),
      [
        slo('search-latency', 'search'),
        slo('payments-availability', 'payments'),
        slo('ledger-availability', 'ledger'),
      ].join('---\n'),
    );
    writeFileSync(
      path.join(dir, 'slos', 'broken.yaml'),
      'apiVersion: openslo/v1\nkind: SLO\nmetadata: { name: half }\nspec: {}\n',
    );
    h = await startHarness(
      dialect,
      { CATALOG_PATH: path.join(dir, 'catalog'), SLOS_PATH: path.join(dir, 'slos'), SLO_ORG: TEAM },
      { startScheduler: false },
    );
    const at = new Date().toISOString();
    const ev = (slo: string, service: string, e: Partial<SloEvaluation>): SloEvaluation => ({
      slo,
      service,
      at,
      status: 'healthy',
      alert: 'none',
      ...e,
    });
    const def = { target: 0.999, windowLabel: '28d' };
    await insertEvaluation(
      h.tdb.db,
      TEAM,
      ev('search-latency', 'search', { sli: 0.9999, budgetRemaining: 0.9, burnRates: { '1h': 0.1 } }),
      def,
    );
    await insertEvaluation(
      h.tdb.db,
      TEAM,
      ev('payments-availability', 'payments', {
        status: 'at_risk',
        alert: 'ticket',
        sli: 0.9994,
        budgetRemaining: 0.4,
        burnRates: { '1h': 2.5 },
      }),
      def,
    );
    // ledger: a good evaluation an hour ago, then Prometheus did not answer.
    const earlier = new Date(Date.now() - 3_600_000).toISOString();
    await insertEvaluation(
      h.tdb.db,
      TEAM,
      {
        ...ev('ledger-availability', 'ledger', { sli: 0.9995, budgetRemaining: 0.5, burnRates: { '1h': 0.5 } }),
        at: earlier,
      },
      def,
    );
    await insertEvaluation(
      h.tdb.db,
      TEAM,
      ev('ledger-availability', 'ledger', {
        status: 'unknown',
        problem: 'Prometheus at http://prom:9090 is unreachable: ECONNREFUSED',
      }),
      def,
    );
    // checkout: a critical alert opens an incident for it.
    const c = await connector(h.tdb.db, TEAM, 'generic');
    const sent = await fetch(`${h.app.url}/connectors/${c.id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(c.token) },
      body: JSON.stringify(
        genericSignal({ serviceName: 'checkout', severity: 'critical', title: 'Checkout is failing' }),
      ),
    });
    expect(sent.status).toBe(202);
    await waitFor(
      () =>
        h.tdb.db
          .selectFrom('incidents')
          .selectAll()
          .where('org_id', '=', TEAM)
          .where('service', '=', 'checkout')
          .executeTakeFirst(),
      10_000,
      'incident',
    );
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('GET /services: every catalog service with the right status, worst first', async () => {
    const { secret } = await createApiToken(h.tdb.db, {
      orgId: TEAM,
      role: 'viewer',
      name: 'grid',
      createdBy: 'test',
      now: new Date(),
    });
    const api = await apiClient(h.app.url);
    const r = await api.call('GET', `/api/v1/orgs/${TEAM}/services`, { token: secret });
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: { service: string; status: string }) => `${x.service}:${x.status}`)).toEqual([
      'checkout:breached',
      'payments:at_risk',
      'ledger:unknown',
      'search:healthy',
      'notify:healthy',
    ]);
    expect(r.body.sloProblems).toBe(1);
    const ledger = r.body.items.find((x: { service: string }) => x.service === 'ledger');
    // Unknown now, the last good numbers kept.
    expect(ledger.slos[0]).toMatchObject({
      status: 'unknown',
      budgetRemaining: 0.5,
      attainment: 0.9995,
      problem: expect.stringContaining('unreachable'),
    });
    const one = await api.call('GET', `/api/v1/orgs/${TEAM}/services/payments/health`, { token: secret });
    expect(one.body).toMatchObject({ service: 'payments', owner: 'team-a', tier: 1, status: 'at_risk' });
    const missing = await api.call('GET', `/api/v1/orgs/${TEAM}/services/nope/health`, { token: secret });
    expect(missing.status).toBe(404);
    const slos = await api.call('GET', `/api/v1/orgs/${TEAM}/slos`, { token: secret });
    expect(slos.body.items.map((s: { name: string }) => s.name).sort()).toEqual([
      'ledger-availability',
      'payments-availability',
      'search-latency',
    ]);
    expect(slos.body.problems[0]).toMatchObject({ file: 'broken.yaml', name: 'half' });
  });

  it('/incident health shows each row with its colour, attainment, budget, burn and the incident link', async () => {
    const r = await h.command('health');
    expect(r.status).toBe(200);
    const rows = (r.body.blocks as Array<{ type: string; text?: { text: string } }>)
      .filter((b) => b.type === 'section')
      .map((b) => b.text!.text);
    expect(rows[0]).toMatch(/^:red_circle: \*checkout\* · owner team-a, tier 2 · .*INC-1/);
    expect(rows[1]).toMatch(
      /^:large_yellow_circle: \*payments\* · owner team-a, tier 1 · SLO `payments-availability` 99\.94? % vs 99\.9 % · budget 40 % left · burn 2\.5×/,
    );
    expect(rows[2]).toMatch(/^:white_circle: \*ledger\*.*budget 50 % left.*\(stale: Prometheus did not answer\)/);
    expect(rows[3]).toMatch(/^:large_green_circle: \*search\*.*budget 90 % left · burn 0\.1×/);
    expect(rows[4]).toBe(':large_green_circle: *notify* · owner team-a, tier 4');
    expect(JSON.stringify(r.body.blocks)).toContain('1 SLO file problem');
    const one = await h.command('health payments');
    expect(one.body.text).toBe('Service health: :large_yellow_circle: 1');
  });

  it('App Home has the grid as a section of its own', async () => {
    await h.event({ type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home' });
    const home = await waitFor(
      () => {
        const v = h.slack.homeTab(ADMIN);
        return v && JSON.stringify(v).includes('Service health') ? v : undefined;
      },
      5000,
      'home tab',
    );
    const text = JSON.stringify(home);
    expect(text).toMatch(/:red_circle: \*checkout\*.*:large_yellow_circle: \*payments\*.*:white_circle: \*ledger\*/);
    expect(text).toContain('`/incident health` shows every service');
  });
});
