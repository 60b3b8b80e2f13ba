import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/api-tokens.service';
import { bearer, connector, overSocket, storedCounts } from '../helpers/alerts';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

/*
 * Acceptance (issue 16): an alert on `payments` while `checkout` (which depends on payments) has an open
 * incident joins it, and `/incident signals` — a signed slash command through the real Bolt receiver — says
 * "checkout depends on payments". Also: the catalog's tier sets the auto-declared severity, its owner group
 * is invited, `/incident services` lists services and bad files, the API explains each signal, and
 * `revenant correlate` is a dry run that changes no row.
 */

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'tests/fixtures/catalog');

let seq = 0;
// One start time per alert, as Alertmanager re-sends it: the dedup key (fingerprint, status, start) repeats.
const STARTED = new Date(Date.now() - 60_000).toISOString();
const amAlert = (
  service: string,
  severity: string,
  o: { status?: 'firing' | 'resolved'; fingerprint?: string; summary?: string } = {},
) => ({
  status: o.status ?? 'firing',
  labels: { alertname: `${service}Errors`, service, env: 'prod', severity },
  annotations: { summary: o.summary ?? `${service} 5xx errors` },
  startsAt: STARTED,
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus.example:9090/graph',
  fingerprint: o.fingerprint ?? `fp-${service}-${++seq}`,
});
const amBody = (alerts: unknown[]) => ({
  receiver: 'revenant',
  status: 'firing',
  alerts,
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example:9093',
  version: '4',
  groupKey: `{}:{test="${++seq}"}`,
  truncatedAlerts: 0,
});

function runCli(
  args: string[],
  env: Record<string, string>,
  stdin: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [path.join(ROOT, 'bin/revenant.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}

describe.each(dialects())('service catalog and topology correlation (%s)', (dialect) => {
  let h: Harness;
  let dir: string;
  let am: { id: string; token: string };
  let checkoutId: string;
  const db = () => h.tdb.db;
  const send = (alerts: unknown[]) => overSocket(h.app.url)(am.id, JSON.stringify(amBody(alerts)), bearer(am.token));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revenant-catalog-'));
    cpSync(FIXTURE, dir, { recursive: true });
    h = await startHarness(dialect, { CATALOG_PATH: dir, AUTO_DECLARE_LIMIT: '0' });
    h.slack.addUsergroup({ id: 'S0SHOP', handle: 'shop-oncall', name: 'Shop on-call', users: ['U0003', 'U0004'] });
    am = await connector(db(), TEAM, 'alertmanager', 'prod');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('auto-declares for checkout at its tier (tier 1 → SEV1) and invites the owner group', async () => {
    const r = await send([amAlert('checkout', 'critical', { fingerprint: 'fp-checkout-1' })]);
    expect(r).toMatchObject({ status: 202, body: { accepted: 1, declared: 1 } });
    const inc = await db()
      .selectFrom('incidents')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('service', '=', 'checkout')
      .executeTakeFirstOrThrow();
    expect(inc.severity).toBe('SEV1');
    expect(inc.description).toMatch(/SEV1 from the service catalog \(tier 1\)/);
    checkoutId = inc.id;
    await h.settle();
    const channelId = (
      await db().selectFrom('incidents').select('channel_id').where('id', '=', inc.id).executeTakeFirstOrThrow()
    ).channel_id!;
    // team-shop's Slack user group, expanded with usergroups.users.list.
    expect(h.slack.channel(channelId)!.members).toEqual(expect.arrayContaining(['U0003', 'U0004']));
    expect(h.slack.channel(channelId)!.members).not.toContain('U0005');
    expect(h.slack.callsTo('usergroups.users.list').map((c) => c.params.usergroup)).toContain('S0SHOP');
  });

  it('an alert on payments joins the checkout incident: "checkout depends on payments"', async () => {
    const r = await send([
      amAlert('payments', 'warning', { fingerprint: 'fp-payments-1', summary: 'Payments latency' }),
    ]);
    expect(r).toMatchObject({ status: 202, body: { accepted: 1, attached: 1, declared: 0 } });
    const rows = await db()
      .selectFrom('incident_signals')
      .select(['fingerprint', 'service'])
      .where('incident_id', '=', checkoutId)
      .orderBy('fingerprint')
      .execute();
    expect(rows).toEqual([
      { fingerprint: 'fp-checkout-1', service: 'checkout' },
      { fingerprint: 'fp-payments-1', service: 'payments' },
    ]);
    // The explanation is in the log itself.
    const attached = await db()
      .selectFrom('incident_events')
      .select('payload')
      .where('incident_id', '=', checkoutId)
      .where('type', '=', 'SIGNAL_ATTACHED')
      .orderBy('seq')
      .execute();
    const payloads = attached.map((e) => JSON.parse(e.payload).signal.correlation);
    expect(payloads[0]).toMatchObject({ rule: 'auto_declare', evidence: { tier: 1, risk: 'BREACHED' } });
    expect(payloads[1]).toMatchObject({
      rule: 'topology',
      reason: 'checkout depends on payments',
      evidence: { path: ['checkout', 'payments'], depth: 1 },
    });
    const timeline = await db()
      .selectFrom('incident_timeline')
      .select('text')
      .where('incident_id', '=', checkoutId)
      .execute();
    expect(timeline.map((r) => r.text)).toContain(
      'Signal at risk: Payments latency (payments/prod, alertmanager; joined: checkout depends on payments)',
    );
  });

  it('/incident signals in the channel lists each signal with why it joined', async () => {
    const inc = await db()
      .selectFrom('incidents')
      .select('channel_id')
      .where('id', '=', checkoutId)
      .executeTakeFirstOrThrow();
    const r = await h.command('signals', { channel: inc.channel_id!, user: 'U0002' });
    expect(r.status).toBe(200);
    const shown = JSON.stringify(r.body.blocks);
    expect(shown).toContain('checkout depends on payments');
    expect(shown).toContain('Payments latency');
    expect(shown).toMatch(/opened it\*: no open incident matches; BREACHED/);
    expect(r.body.text).toMatch(/INC-\d+: 2 signals \(latest: checkout depends on payments\)/);
    // Outside an incident channel it says where to run it, and stores nothing.
    const outside = await h.command('signals', { channel: 'CGENERAL' });
    expect(outside.body.text).toMatch(/incident channel|in an incident/i);
  });

  it('GET /incidents/:id/signals returns them with the rule and evidence', async () => {
    const { secret: token } = await createApiToken(db(), {
      orgId: TEAM,
      role: 'viewer',
      name: `signals-${dialect}`,
      createdBy: 'test',
      now: new Date(),
    });
    const api = await apiClient(h.app.url);
    const r = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${checkoutId}/signals`, { token });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.items.find((s: { fingerprint: string }) => s.fingerprint === 'fp-payments-1')).toMatchObject({
      service: 'payments',
      correlation: {
        rule: 'topology',
        reason: 'checkout depends on payments',
        evidence: { incidentService: 'checkout', path: ['checkout', 'payments'] },
      },
    });
    const missing = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/no-such-incident/signals`, { token });
    expect(missing.status).toBe(404);
    const bad = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${checkoutId}/signals?limit=0`, { token });
    expect(bad.status).toBe(400);
  });

  it('/incident services lists owners, tiers and dependencies, and names the bad file', async () => {
    const r = await h.command('services', { user: 'U0002' });
    const shown = JSON.stringify(r.body.blocks);
    expect(r.body.text).toBe('Service catalog: 2 services, 1 problem');
    expect(shown).toMatch(/`checkout` — owner \*team-shop\* · tier 1 · system shop · production/);
    expect(shown).toContain('depends on `payments`');
    expect(shown).toMatch(/`payments` — owner \*team-payments\* · tier 2/);
    expect(shown).toMatch(/broken\.yaml`: YAML error at line \d/);
  });

  it('guidance uses the runbook annotation: a file for its steps, a URL as a link', async () => {
    const inc = await db()
      .selectFrom('incidents')
      .select('channel_id')
      .where('id', '=', checkoutId)
      .executeTakeFirstOrThrow();
    const r = await h.command('guidance', { channel: inc.channel_id! });
    expect(r.status).toBe(200);
    const post = await waitFor(
      () =>
        h.slack
          .callsTo('chat.postMessage')
          .find((c) => JSON.stringify(c.params.blocks ?? '').includes('Guidance for INC-')),
      30_000,
      'the guidance post',
    );
    const blocks = JSON.stringify(post.params.blocks);
    expect(blocks).toContain('Check the payments dependency dashboard first');
    expect(blocks).toContain('<https://runbooks.example.com/payments|Runbook for payments>');
  });

  it('revenant correlate is a dry run: attach/declare/ignore/repeat and why, and no row changes', async () => {
    const payload = JSON.stringify(
      amBody([
        amAlert('payments', 'critical', { fingerprint: 'fp-payments-2' }),
        amAlert('search', 'critical', { fingerprint: 'fp-search-1' }),
        amAlert('search', 'critical', { fingerprint: 'fp-search-2', summary: 'search again' }),
        amAlert('billing', 'warning', { fingerprint: 'fp-billing-1' }),
        amAlert('checkout', 'critical', { fingerprint: 'fp-checkout-1' }),
      ]),
    );
    const before = await storedCounts(db());
    const incidentsBefore = await db().selectFrom('incidents').select(['id', 'version']).orderBy('id').execute();
    const out = await runCli(
      ['correlate', '--org', TEAM, '--kind', 'alertmanager'],
      { DATABASE_URL: h.tdb.url, CATALOG_PATH: dir, AUTO_DECLARE_LIMIT: '0' },
      payload,
    );
    expect(out.stderr).toMatch(/catalog: broken\.yaml: YAML error/);
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, 5).map((l) => [l.service, l.action, l.rule ?? null])).toEqual([
      ['payments', 'attach', 'topology'],
      ['search', 'declare', 'auto_declare'],
      ['search', 'attach', 'service_window'],
      ['billing', 'ignore', null],
      ['checkout', 'repeat', null],
    ]);
    // A new payments alert (another fingerprint) would join checkout's incident by the dependency.
    expect(lines[0]).toMatchObject({ incident: { id: checkoutId }, reason: 'checkout depends on payments' });
    expect(lines[2]).toMatchObject({
      incident: { new: 1 },
      reason: expect.stringMatching(/^same service search \(prod\)/),
    });
    expect(lines[1]).toMatchObject({ severity: 'SEV2', incident: { new: 1 }, target: 'new incident #1' });
    expect(lines[3].reason).toMatch(/AT_RISK, not BREACHED/);
    expect(lines[5]).toEqual({ summary: true, alerts: 5, attach: 2, declare: 1, ignore: 1, repeat: 1, dryRun: true });
    expect(await storedCounts(db())).toEqual(before);
    expect(await db().selectFrom('incidents').select(['id', 'version']).orderBy('id').execute()).toEqual(
      incidentsBefore,
    );
  }, 120_000);

  it('related incidents: a catalog dependency counts and says so (API related, reasons)', async () => {
    const { secret: token } = await createApiToken(db(), {
      orgId: TEAM,
      role: 'responder',
      name: `related-${dialect}`,
      createdBy: 'test',
      now: new Date(),
    });
    const api = await apiClient(h.app.url);
    const declared = await api.call('POST', `/api/v1/orgs/${TEAM}/incidents`, {
      token,
      body: { title: 'Card declines spike', severity: 'SEV3', service: 'payments', environment: 'prod' },
    });
    expect(declared.status).toBe(201);
    await h.app.deps.searchIndexer!.flush();
    const r = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${checkoutId}/related`, { token });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0]).toMatchObject({
      title: 'Card declines spike',
      reasons: expect.arrayContaining(['checkout depends on payments']),
    });
    // The payments incident's owner (team-payments lists U0005 as a member) was invited to its channel.
    await h.settle();
    const ch = await db()
      .selectFrom('incidents')
      .select('channel_id')
      .where('id', '=', declared.body.id)
      .executeTakeFirstOrThrow();
    expect(h.slack.channel(ch.channel_id!)!.members).toContain('U0005');
  });

  it('the dry run refuses bad input clearly', async () => {
    const env = { DATABASE_URL: h.tdb.url };
    const notJson = await runCli(['correlate', '--org', TEAM, '--kind', 'alertmanager'], env, '{"alerts": [');
    expect(notJson).toMatchObject({ code: 1 });
    expect(notJson.stderr).toMatch(/the payload is not JSON/);
    const badKind = await runCli(['correlate', '--org', TEAM, '--kind', 'pagerduty'], env, '{}');
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toMatch(/--kind must be one of alertmanager, grafana, datadog, generic/);
    const badBody = await runCli(['correlate', '--org', TEAM, '--kind', 'alertmanager'], env, '{"receiver": "x"}');
    expect(badBody.code).toBe(1);
    expect(badBody.stderr).toMatch(/alerts/);
  }, 120_000);
});
