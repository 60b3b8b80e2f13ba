import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeConnector, WEBHOOK_CONNECTOR_TTL_MS } from '../../src/adapters/db/connector.repo';
import { connectorsRoute } from '../../src/adapters/http/connectors.route';
import { createHttpApp } from '../../src/adapters/http/http.app';
import { createMetrics } from '../../src/adapters/metrics/metrics';
import { bearer, connector, fixture, genericSignal, overSocket, storedCounts, throughHono, type Transport } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

const ROOT = path.resolve(__dirname, '../..');
const OTHER_ORG = 'T0002';
const json = (v: unknown) => JSON.stringify(v);
const sign = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

describe.each(dialects())('alert webhook (%s)', (dialect) => {
  let h: Harness;
  let hono: Hono;
  let am: { id: string; token: string };
  let gen: { id: string; token: string };
  let graf: { id: string; token: string };
  let transports: Array<[string, Transport]>;
  const db = () => h.tdb.db;
  const incidentsOf = (service: string, environment = 'prod') =>
    db().selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('service', '=', service).where('environment', '=', environment).execute();
  const watch = (service: string, environment = 'prod', org = TEAM) =>
    db().selectFrom('watchlist').selectAll().where('org_id', '=', org).where('service', '=', service).where('environment', '=', environment).executeTakeFirst();
  const signalsOf = (incidentId: string) => db().selectFrom('incident_signals').selectAll().where('incident_id', '=', incidentId).orderBy('attached_at').execute();
  const byFingerprint = async (incidentId: string) => (await signalsOf(incidentId)).sort((x, y) => x.fingerprint.localeCompare(y.fingerprint));
  const post = (id: string, token: string, body: unknown) => overSocket(h.app.url)(id, json(body), bearer(token));

  beforeAll(async () => {
    h = await startHarness(dialect);
    hono = createHttpApp(h.app.deps, createMetrics(), [connectorsRoute]);
    am = await connector(db(), TEAM, 'alertmanager', 'prod alertmanager');
    gen = await connector(db(), TEAM, 'generic');
    graf = await connector(db(), OTHER_ORG, 'grafana');
    transports = [
      ['socket', overSocket(h.app.url)],
      ['hono app.request()', throughHono(hono)],
    ];
  });
  afterAll(async () => h?.close());

  it('refuses each bad request with its status and a message naming the problem, and stores nothing', async () => {
    const valid = json([genericSignal({ serviceName: 'refused-svc', severity: 'critical' })]);
    const firing = json(fixture('grafana/firing.json'));
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<{ what: string; id: string; body: string | Buffer; headers: Record<string, string>; status: number; message: RegExp }> = [
      { what: 'no token', id: gen.id, body: valid, headers: {}, status: 401, message: /Authorization: Bearer <token>/ },
      { what: 'bad token', id: gen.id, body: valid, headers: bearer('rvn_not-the-token'), status: 401, message: /token does not match/ },
      { what: "another connector's token", id: gen.id, body: valid, headers: bearer(am.token), status: 401, message: /token does not match/ },
      { what: 'Basic with a wrong password', id: gen.id, body: valid, headers: { authorization: `Basic ${Buffer.from(`x:${am.token}`).toString('base64')}` }, status: 401, message: /token does not match/ },
      { what: 'unknown connector', id: 'con_nope', body: valid, headers: bearer(gen.token), status: 404, message: /No connector "con_nope"/ },
      { what: 'malformed JSON', id: gen.id, body: '{"serviceName": "x", ', headers: bearer(gen.token), status: 400, message: /not valid JSON/ },
      {
        what: 'schema problems (the valid first alert is not stored either)',
        id: gen.id,
        body: json([genericSignal({ serviceName: 'refused-svc', severity: 'critical' }), { status: 'nope', metrics: { errorRate: '120%' } }]),
        headers: bearer(gen.token),
        status: 400,
        message: /\[1\]\.serviceName: .*\[1\]\.metrics\.errorRate: percent above 100: "120%".*\[1\]\.status: /,
      },
      { what: 'Alertmanager body without alerts', id: am.id, body: json({ receiver: 'revenant', status: 'firing' }), headers: bearer(am.token), status: 400, message: /alerts: Invalid input: expected array/ },
      { what: '1 MiB + 1 byte', id: gen.id, body: Buffer.alloc(1024 * 1024 + 1, 0x20), headers: bearer(gen.token), status: 413, message: /1 MiB/ },
      { what: 'Grafana signature that does not match', id: graf.id, body: firing, headers: { ...bearer(graf.token), 'x-grafana-alerting-signature': sign('wrong-secret', firing) }, status: 401, message: /X-Grafana-Alerting-Signature does not match/i },
      {
        what: 'Grafana signature over another timestamp',
        id: graf.id,
        body: firing,
        headers: { ...bearer(graf.token), 'x-grafana-alerting-signature': sign(graf.token, `${now - 1}:${firing}`), 'x-grafana-alerting-timestamp': String(now) },
        status: 401,
        message: /does not match/,
      },
      {
        what: 'Grafana signature replayed an hour later',
        id: graf.id,
        body: firing,
        headers: { ...bearer(graf.token), 'x-grafana-alert-signature': sign(graf.token, `${now - 3600}:${firing}`), 'x-grafana-alerting-signature-timestamp': String(now - 3600) },
        status: 401,
        message: /possible replay/,
      },
    ];
    const before = await storedCounts(db());
    for (const [via, send] of transports) {
      for (const c of cases) {
        const r = await send(c.id, c.body, c.headers);
        expect(r.status, `${c.what} via ${via}`).toBe(c.status);
        expect(r.body.message, `${c.what} via ${via}`).toMatch(c.message);
      }
    }
    expect(await storedCounts(db())).toEqual(before);
    expect(await watch('refused-svc')).toBeUndefined();
  });

  it('accepts HTTP Basic (token as password) and good Grafana signatures, with and without a timestamp', async () => {
    for (const [via, send] of transports) {
      const body = json([genericSignal({ serviceName: `basic-${via.split(' ')[0]}`, severity: 'warning' })]);
      const basic = await send(gen.id, body, { authorization: `Basic ${Buffer.from(`alertmanager:${gen.token}`).toString('base64')}` });
      expect(basic, via).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0 } });
      expect(await watch(`basic-${via.split(' ')[0]}`)).toMatchObject({ status: 'AT_RISK', firing_count: 1 });
    }
    const firing = json(fixture('grafana/firing.json'));
    const plain = await transports[0][1](graf.id, firing, { ...bearer(graf.token), 'x-grafana-alerting-signature': sign(graf.token, firing) });
    expect(plain).toMatchObject({ status: 202, body: { accepted: 2, declared: 1 } });
    const resolved = json(fixture('grafana/resolved.json'));
    const ts = String(Math.floor(Date.now() / 1000));
    const stamped = await transports[1][1](graf.id, resolved, { ...bearer(graf.token), 'x-grafana-alerting-signature': sign(graf.token, `${ts}:${resolved}`), 'x-grafana-alerting-timestamp': ts });
    expect(stamped).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0 } });
    // The other organisation's alerts stay in that organisation.
    expect(await watch('checkout', 'prod', OTHER_ORG)).toMatchObject({ status: 'CLEARED' });
    expect(await watch('checkout', 'staging', OTHER_ORG)).toMatchObject({ status: 'AT_RISK' });
    expect(await incidentsOf('checkout')).toHaveLength(0);
  });

  it('real Alertmanager captures: firing opens an incident and fills the watchlist; a retry is a repeat', async () => {
    const r1 = await post(am.id, am.token, fixture('alertmanager/1-firing-two-alerts.json'));
    expect(r1).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 0, declared: 1, attached: 1, warnings: [] } });
    const [inc] = await incidentsOf('checkout');
    expect(inc).toMatchObject({ source: 'auto', severity: 'SEV2', status: 'OPEN', signal_count: 2, open_signal_count: 2, created_by: `connector:${am.id}`, title: '5xx rate 7.2% on web-1' });
    expect(inc.description).toMatch(/error rate 7\.2% ≥ critical 5%/);
    expect((await byFingerprint(inc.id)).map((s) => [s.fingerprint, s.status, s.risk])).toEqual([
      ['236b3b7ac20fbbb6', 'firing', 'BREACHED'],
      ['4bc3bd971766195e', 'firing', 'BREACHED'],
    ]);
    const w = await watch('checkout');
    expect(w).toMatchObject({ status: 'BREACHED', firing_count: 2, incident_id: inc.id, source: 'alertmanager', cleared_at: null });
    expect(w!.risk_score).toBeGreaterThanOrEqual(0.7);
    expect(JSON.parse(w!.logs)[0].message).toMatch(/HTTP 5xx ratio above 5%/);

    // (The outbox may append CHANNEL_LINKED meanwhile; signals are what a retry must not add.)
    const signalEvents = async () => (await db().selectFrom('incident_events').select('type').where('incident_id', '=', inc.id).where('type', 'like', 'SIGNAL_%').execute()).length;
    const events = await signalEvents();
    expect(events).toBe(2);
    const retry = await post(am.id, am.token, fixture('alertmanager/1-firing-two-alerts.json'));
    expect(retry).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 2, declared: 0, attached: 0 } });
    expect(await signalEvents()).toBe(events);

    await waitFor(async () => (await incidentsOf('checkout'))[0].summary_ts, 5000, 'incident channel and summary');
    const [opened] = await incidentsOf('checkout');
    const summary = h.slack.messages(opened.channel_id!).find((m) => m.ts === opened.summary_ts)!;
    expect(json(summary.blocks)).toContain('2 firing / 2 total');
    const list = await h.command('list');
    expect(json(list.body)).toContain(`INC-${inc.number}`);
    expect(json(list.body)).toContain('2 signals');
  });

  it('partial resolve keeps the watchlist breached and records the resolution; the final one clears it and offers Mark mitigated', async () => {
    const [inc] = await incidentsOf('checkout');
    const r2 = await post(am.id, am.token, fixture('alertmanager/2-partial-resolve.json'));
    expect(r2).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 1, attached: 1 } });
    expect((await byFingerprint(inc.id)).map((s) => [s.fingerprint, s.status])).toEqual([
      ['236b3b7ac20fbbb6', 'firing'],
      ['4bc3bd971766195e', 'resolved'],
    ]);
    expect((await incidentsOf('checkout'))[0]).toMatchObject({ signal_count: 2, open_signal_count: 1, status: 'OPEN' });
    expect(await watch('checkout')).toMatchObject({ status: 'BREACHED', firing_count: 1 });

    const r3 = await post(am.id, am.token, fixture('alertmanager/3-resolved.json'));
    expect(r3).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0, attached: 1 } });
    expect(await watch('checkout')).toMatchObject({ status: 'CLEARED', firing_count: 0, risk_score: 0, cleared_by: `connector:${am.id}` });
    const history = await db().selectFrom('watchlist_history').select(['status', 'reason']).where('org_id', '=', TEAM).where('service', '=', 'checkout').orderBy('id').execute();
    expect(history).toEqual([
      { status: 'BREACHED', reason: 'signal' },
      { status: 'CLEARED', reason: 'resolved' },
    ]);
    const after = (await incidentsOf('checkout'))[0];
    expect(after).toMatchObject({ open_signal_count: 0, status: 'OPEN' }); // never resolved automatically

    const offer = await waitFor(() => h.slack.messages(after.channel_id!).find((m) => json(m.blocks ?? []).includes('mark_mitigated')), 5000, 'Mark mitigated offer');
    expect(offer.text).toMatch(/Every alert on this incident has resolved/);
    const press = await h.interact({
      type: 'block_actions',
      team: { id: TEAM, domain: 'acme' },
      user: { id: ADMIN, username: 'alice', team_id: TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: '5.5.mitigate',
      channel: { id: after.channel_id, name: after.channel_name },
      container: { type: 'message', channel_id: after.channel_id },
      message: { ts: offer.ts, type: 'message' },
      response_url: h.slack.responseUrl(),
      actions: [{ action_id: 'mark_mitigated', block_id: 'b', value: after.id, type: 'button', action_ts: '5.6' }],
    });
    expect(press.status).toBe(200);
    await waitFor(async () => (await incidentsOf('checkout'))[0].status === 'MITIGATED', 3000, 'mitigated');
  });

  it('correlates by correlation key, then trace id, then service window; otherwise a breached alert opens a new incident', async () => {
    const a = await post(gen.id, gen.token, genericSignal({ serviceName: 'alpha', severity: 'critical', correlationKey: 'ck-alpha', traceId: 'trace-a1' }));
    expect(a.body).toMatchObject({ accepted: 1, declared: 1 });
    const [incA] = await incidentsOf('alpha');
    const byKey = await post(gen.id, gen.token, genericSignal({ serviceName: 'beta', severity: 'critical', correlationKey: 'ck-alpha' }));
    const byTrace = await post(gen.id, gen.token, genericSignal({ serviceName: 'gamma', severity: 'critical', traceId: 'trace-a1' }));
    const byWindow = await post(gen.id, gen.token, genericSignal({ serviceName: 'alpha', title: 'alpha p99 latency', severity: 'critical' }));
    for (const r of [byKey, byTrace, byWindow]) expect(r.body).toMatchObject({ accepted: 1, attached: 1, declared: 0 });
    expect((await signalsOf(incA.id)).map((s) => s.service)).toEqual(['alpha', 'beta', 'gamma', 'alpha']);
    expect(await incidentsOf('beta')).toHaveLength(0);
    expect(await incidentsOf('gamma')).toHaveLength(0);

    const staging = await post(gen.id, gen.token, genericSignal({ serviceName: 'alpha', environment: 'staging', severity: 'critical' }));
    expect(staging.body).toMatchObject({ declared: 1, attached: 0 });
    expect(await incidentsOf('alpha', 'staging')).toHaveLength(1);

    const atRisk = await post(gen.id, gen.token, genericSignal({ serviceName: 'delta', severity: 'warning' }));
    expect(atRisk.body).toMatchObject({ accepted: 1, declared: 0, attached: 0 });
    expect(await incidentsOf('delta')).toHaveLength(0);
    expect(await watch('delta')).toMatchObject({ status: 'AT_RISK', incident_id: null, firing_count: 1 });
  });

  it('simultaneous requests about one new service open exactly one incident', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => [genericSignal({ serviceName: 'epsilon', title: `epsilon node ${i} down`, severity: 'critical' })]);
    const rs = await Promise.all(bodies.map((b) => post(gen.id, gen.token, b)));
    expect(rs.map((r) => r.status)).toEqual(bodies.map(() => 202));
    expect(rs.reduce((n, r) => n + r.body.declared, 0)).toBe(1);
    expect(rs.reduce((n, r) => n + r.body.attached, 0)).toBe(7);
    const incs = await incidentsOf('epsilon');
    expect(incs).toHaveLength(1);
    expect(incs[0].signal_count).toBe(8);
    expect(await watch('epsilon')).toMatchObject({ status: 'BREACHED', firing_count: 8 });
  });

  it('/incident connector add (admin only) shows the URL and token to the caller; /incident watchlist lists the entries', async () => {
    const denied = await h.command('connector add generic', { user: 'U0NOTADMIN' });
    expect(denied.body.text).toMatch(/needs the admin role/);
    const badKind = await h.command('connector add nagios');
    expect(badKind.body.text).toMatch(/alertmanager, grafana, datadog, generic/);

    const r = await h.command('connector add alertmanager Staging AM');
    expect(r.body.response_type).toBe('ephemeral');
    const url = /(http:\/\/\S+\/connectors\/(con_[\w-]+)\/webhook)/.exec(r.body.text);
    const token = /`(rvn_[\w-]+)`/.exec(r.body.text)?.[1];
    expect(url && token).toBeTruthy();
    const row = await db().selectFrom('connectors').selectAll().where('id', '=', url![2]).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ org_id: TEAM, kind: 'alertmanager', name: 'Staging AM', created_by: ADMIN });
    expect(row.token_hash).not.toContain(token);
    // The same captures through the new connector are repeats: dedup is per org, not per connector.
    const again = await post(url![2], token!, fixture('alertmanager/1-firing-two-alerts.json'));
    expect(again).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 2 } });

    const list = await h.command('watchlist', { user: 'U0VIEWER' });
    const text = json(list.body);
    expect(text).toContain('*epsilon*');
    expect(text).toContain('*delta*');
    expect(text).not.toContain('*checkout*'); // cleared entries are not listed
  });

  it('revenant connector add prints exactly one JSON line whose URL and token work', async () => {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: h.tdb.url, PUBLIC_URL: 'https://revenant.example.com' };
    const out = await run(process.execPath, [path.join(ROOT, 'bin/revenant.js'), 'connector', 'add', '--org', TEAM, '--kind', 'datadog', '--name', 'dd prod'], { cwd: ROOT, env, timeout: 60_000 });
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const c = JSON.parse(lines[0]);
    expect(Object.keys(c).sort()).toEqual(['id', 'token', 'url']);
    expect(c.url).toBe(`https://revenant.example.com/connectors/${c.id}/webhook`);
    const r = await post(c.id, c.token, fixture('datadog/triggered.json'));
    expect(r).toMatchObject({ status: 202, body: { accepted: 1 } });
    const listed = await run(process.execPath, [path.join(ROOT, 'bin/revenant.js'), 'connector', 'list', '--org', TEAM], { cwd: ROOT, env, timeout: 60_000 });
    expect(listed.stdout).toContain(c.id);
    expect(listed.stdout).not.toContain('rvn_');
  });
});

describe.each(dialects())('alert webhook with AUTO_DECLARE=off (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect, { AUTO_DECLARE: 'off' });
  });
  afterAll(async () => h?.close());

  it('a breached alert is recorded on the watchlist but opens no incident', async () => {
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    const r = await overSocket(h.app.url)(gen.id, json(genericSignal({ serviceName: 'zeta', severity: 'page' })), bearer(gen.token));
    expect(r).toMatchObject({ status: 202, body: { accepted: 1, declared: 0, attached: 0 } });
    expect(await h.tdb.db.selectFrom('incidents').selectAll().execute()).toHaveLength(0);
    expect(await h.tdb.db.selectFrom('watchlist').selectAll().where('service', '=', 'zeta').executeTakeFirst()).toMatchObject({ status: 'BREACHED', incident_id: null });
  });

  it('a revoked connector is refused at once here, and within a second when revoked by another process', async () => {
    const send = (c: { id: string; token: string }, name: string) =>
      overSocket(h.app.url)(c.id, json(genericSignal({ serviceName: name })), bearer(c.token));
    const here = await connector(h.tdb.db, TEAM, 'generic');
    expect((await send(here, 'rev-a')).status).toBe(202); // its row is now kept for a second
    expect(await revokeConnector(h.tdb.db, TEAM, here.id, new Date())).toBe(true);
    expect(await send(here, 'rev-b')).toMatchObject({ status: 401, body: { error: 'revoked_connector' } });

    // Another replica or the CLI writes the row directly: this process sees it once its copy is a second old.
    const there = await connector(h.tdb.db, TEAM, 'generic');
    expect((await send(there, 'rev-c')).status).toBe(202);
    await h.tdb.db.updateTable('connectors').set({ revoked_at: new Date().toISOString() }).where('id', '=', there.id).execute();
    await new Promise((r) => setTimeout(r, WEBHOOK_CONNECTOR_TTL_MS + 50));
    expect(await send(there, 'rev-d')).toMatchObject({ status: 401, body: { error: 'revoked_connector' } });
    const stored = await h.tdb.db.selectFrom('signal_receipts').select('connector_id').where('connector_id', 'in', [here.id, there.id]).execute();
    expect(stored).toHaveLength(2); // rev-a and rev-c only
  });
});

describe.each(dialects())('alert webhook when the database fails mid-request (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  it('answers 5xx (the sender retries) and keeps nothing of the request, not even the incident it was opening', async () => {
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    const before = await storedCounts(h.tdb.db);
    // A real failure late in the transaction: after the incident is declared, before the watchlist write.
    await sql`drop table firing_signals`.execute(h.tdb.db);
    const r = await overSocket(h.app.url)(gen.id, json([genericSignal({ serviceName: 'omega', severity: 'critical' }), genericSignal({ serviceName: 'omega', title: 'omega 2', severity: 'critical' })]), bearer(gen.token));
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/nothing was stored/);
    const n = async (t: 'incident_events' | 'incidents' | 'signal_receipts' | 'outbox' | 'watchlist') => (await h.tdb.db.selectFrom(t).selectAll().execute()).length;
    expect({ events: await n('incident_events'), incidents: await n('incidents'), receipts: await n('signal_receipts'), outbox: await n('outbox'), watchlist: await n('watchlist') }).toEqual({
      events: before.events,
      incidents: 0,
      receipts: before.receipts,
      outbox: before.outbox,
      watchlist: before.watchlist,
    });
  });
});
