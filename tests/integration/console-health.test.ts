import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvaluation } from '../../src/adapters/db/slo.repo';
import { declareIncident } from '../../src/app/incident-commands.service';
import { bearer, connector, genericSignal } from '../helpers/alerts';
import { Browserless, type ConsoleHarness, startConsoleHarness } from '../helpers/console-harness';
import { dialects } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/** Watchlist & health: the health grid (catalog + SLOs) and the watchlist; an incident page lists its SLO violations. */
const component = (name: string, tier: number) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: ${name}, annotations: { revenant/tier: "${tier}" } }\nspec: { type: service, owner: team-pay, lifecycle: production }\n`;
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

describe.each(dialects())('console: watchlist and health grid (%s)', (dialect) => {
  let h: ConsoleHarness;
  let dir = '';
  let bob: Browserless;
  let paymentsIncident = '';
  let secret = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-console-grid-'));
    mkdirSync(path.join(dir, 'catalog'));
    mkdirSync(path.join(dir, 'slos'));
    writeFileSync(
      path.join(dir, 'catalog', 'catalog-info.yaml'),
      ['apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: team-pay }\nspec: { type: team, children: [] }\n', component('payments', 1), component('search', 3)].join('---\n'),
    );
    writeFileSync(path.join(dir, 'slos', 'slos.yaml'), slo('payments-availability', 'payments'));
    h = await startConsoleHarness(dialect, { U0002: 'responder' }, { CATALOG_PATH: path.join(dir, 'catalog'), SLOS_PATH: path.join(dir, 'slos'), SLO_ORG: 'T0001' });
    await insertEvaluation(
      h.tdb.db,
      'T0001',
      { slo: 'payments-availability', service: 'payments', at: new Date().toISOString(), status: 'breached', alert: 'page', sli: 0.995, budgetRemaining: -0.25, burnRates: { '1h': 14.4 } },
      { target: 0.999, windowLabel: '28d' },
    );
    const admin = { kind: 'user' as const, id: 'U0001', role: 'admin' as const };
    paymentsIncident = (await declareIncident(h.app.deps, { orgId: 'T0001', actor: admin, title: 'Payments failing', severity: 'SEV1', service: 'payments' })).state.id;
    secret = (await declareIncident(h.app.deps, { orgId: 'T0001', actor: admin, title: 'Card data exposure', severity: 'SEV1', service: 'payments', visibility: 'private' })).state.id;
    const c = await connector(h.tdb.db, 'T0001', 'generic');
    const sent = await fetch(`${h.app.url}/connectors/${c.id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(c.token) },
      body: JSON.stringify(genericSignal({ serviceName: 'search', severity: 'warning', title: 'Search p99 creeping up' })),
    });
    expect(sent.status).toBe(202);
    bob = new Browserless(h.app.url);
    await bob.signIn('T0001', 'U0002');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the health grid from the shared service, without private incidents the viewer may not see', async () => {
    const html = await (await bob.fetch('/console/orgs/T0001/watchlist')).text();
    expect(html).toContain('Service health (catalog and SLOs)');
    expect(html).toMatch(/payments \(tier 1\)/);
    expect(html).toContain('badge health-breached');
    expect(html).toContain('payments-availability: 99.50% / 99.90% over 28d, budget -25%, burn 14.4×');
    expect(html).toContain(`incidents/${paymentsIncident}`);
    expect(html).not.toContain(secret);
    expect(html).toContain('search (tier 3)');
  });

  it('shows the watchlist entry an alert created', async () => {
    const html = await waitFor(async () => {
      const t = await (await bob.fetch('/console/orgs/T0001/watchlist')).text();
      return t.includes('Search p99 creeping up') ? t : undefined;
    }, 10_000, 'watchlist entry');
    expect(html).toMatch(/<td>search<\/td>/);
  });

  it('shows why a signal joined (here: opened) the incident, from its correlation evidence', async () => {
    const c = await connector(h.tdb.db, 'T0001', 'generic', 'second');
    const sent = await fetch(`${h.app.url}/connectors/${c.id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(c.token) },
      body: JSON.stringify(genericSignal({ serviceName: 'payments', severity: 'critical', title: 'Payments 5xx above 5%' })),
    });
    expect(sent.status).toBe(202);
    const row = await waitFor(() => h.tdb.db.selectFrom('incidents').select('id').where('title', '=', 'Payments 5xx above 5%').executeTakeFirst(), 10_000, 'auto-declared incident');
    const signal = (await h.app.deps.incidents.load('T0001', row.id)).signals[0];
    expect(signal.correlation?.reason).toBeTruthy();
    const html = await (await bob.fetch(`/console/orgs/T0001/incidents/${row.id}`)).text();
    expect(html).toContain('Payments 5xx above 5%');
    const escaped = signal.correlation!.reason.replace(/"/g, '&quot;');
    expect(html).toContain(`Correlated: ${signal.correlation!.rule.replace('_', ' ')}: ${escaped}`);
  });

  it("lists the SLO violations of the incident's service on its page", async () => {
    const html = await (await bob.fetch(`/console/orgs/T0001/incidents/${paymentsIncident}`)).text();
    expect(html).toContain('SLO violations');
    expect(html).toContain('payments-availability: 99.50% of 99.90% over 28d, -25% budget left, burning 14.4×');
  });
});
