import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/api-tokens.service';
import { addConnector } from '../../src/app/connector.service';
import { ROLLBACK_MAX_ATTEMPTS } from '../../src/adapters/rollback/rollback.delivery';
import { verifyWebhook } from '../../src/adapters/webhooks/webhook.signature';
import { bearer } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

const SECRET = 'rollback-hook-secret-0123456789';

interface HookCall {
  path: string;
  body: any;
  delivery: string;
  signatureOk: boolean;
  status: number;
}

/**
 * A deploy hook as a receiver would write one: it checks `Revenant-Signature` (HMAC-SHA256 over
 * "<t>.<body>") and refuses a bad one with 401. `/good` fails the first `failFirst` calls with 503;
 * `/strict` holds another secret (so every signature is bad to it); `/down` always answers 503.
 */
async function startHook(failFirst: number) {
  const calls: HookCall[] = [];
  let left = failFirst;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const secret = req.url === '/strict' ? 'some-other-secret-entirely' : SECRET;
      const signatureOk = verifyWebhook(
        secret,
        raw,
        String(req.headers['revenant-signature'] ?? ''),
        Date.now() / 1000,
      );
      let status = 202;
      if (!signatureOk) status = 401;
      else if (req.url === '/down') status = 503;
      else if (req.url === '/good' && left > 0) {
        left--;
        status = 503;
      }
      calls.push({
        path: req.url ?? '',
        body: JSON.parse(raw),
        delivery: String(req.headers['revenant-delivery']),
        signatureOk,
        status,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 202 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(dialects())('rollback through a signed deploy hook, and the API (%s)', (dialect) => {
  let h: Harness;
  let hook: Awaited<ReturnType<typeof startHook>>;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let admin: string;
  let viewer: string;
  let changes: { id: string; token: string };
  const db = () => h.tdb.db;

  const deploy = async (service: string, version: string, minutesAgo: number, externalId: string) => {
    const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const res = await fetch(`${h.app.url}/connectors/${changes.id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(changes.token) },
      body: JSON.stringify({
        service,
        environment: 'production',
        version,
        status: 'success',
        startedAt: at,
        finishedAt: at,
        externalId,
      }),
    });
    expect(res.status).toBe(202);
  };
  const declare = async (service: string) => {
    const r = await api.call('POST', `/api/v1/orgs/${TEAM}/incidents`, {
      token: admin,
      body: { title: `${service} is failing`, severity: 'SEV2', service, environment: 'production' },
    });
    expect(r.status).toBe(201);
    await h.settle(); // the channel is open before anything is counted
    return r.body.id as string;
  };
  const types = async (incidentId: string) =>
    (
      await db()
        .selectFrom('incident_events')
        .select('type')
        .where('incident_id', '=', incidentId)
        .orderBy('seq')
        .execute()
    ).map((r) => r.type);
  const payloadOf = async (incidentId: string, type: string) =>
    JSON.parse(
      String(
        (
          await db()
            .selectFrom('incident_events')
            .select('payload')
            .where('incident_id', '=', incidentId)
            .where('type', '=', type)
            .executeTakeFirstOrThrow()
        ).payload,
      ),
    );
  const rollback = (incidentId: string, body: Record<string, unknown>, token = admin) =>
    api.call('POST', `/api/v1/orgs/${TEAM}/incidents/${incidentId}/rollback`, { token, body });

  beforeAll(async () => {
    hook = await startHook(2);
    const dir = mkdtempSync(path.join(tmpdir(), 'revenant-hook-'));
    const mapping = path.join(dir, 'changes.yaml');
    const target = (p: string) => `    kind: deploy_hook\n    url: ${hook.url}${p}`;
    writeFileSync(
      mapping,
      [
        'rollback:',
        '  search:',
        target('/good'),
        '  billing:',
        target('/strict'),
        '  ledger:',
        target('/down'),
        '  cart:',
        target('/good'),
      ].join('\n'),
    );
    h = await startHarness(
      dialect,
      { CHANGES_MAPPING_PATH: mapping, ROLLBACK_HOOK_SECRET: SECRET },
      { outbox: { backoffBaseMs: 10 } },
    );
    api = await apiClient(h.app.url);
    const mint = async (role: 'admin' | 'viewer', name: string) =>
      (await createApiToken(db(), { orgId: TEAM, role, name, createdBy: 'test', now: new Date() })).secret;
    admin = await mint('admin', 'ops');
    viewer = await mint('viewer', 'reader');
    changes = await addConnector(
      { db: db(), config: h.config, now: () => new Date() },
      { orgId: TEAM, actor: { kind: 'user', id: ADMIN, role: 'admin' }, kind: 'changes' },
    );
    for (const s of ['search', 'billing', 'ledger', 'cart']) {
      await deploy(s, `${s}-1`, 600, `${s}-1`);
      await deploy(s, `${s}-2`, 10, `${s}-2`);
    }
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await hook?.close();
  });

  it('the API refuses a viewer token (403) and answers a dry run with the plan, writing nothing', async () => {
    const id = await declare('search');
    const before = await types(id);
    const refused = await rollback(id, {}, viewer);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/SRE lead, an admin or the incident commander/);
    const dry = await rollback(id, { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.plan).toMatchObject({
      service: 'search',
      environment: 'production',
      fromVersion: 'search-2',
      toVersion: 'search-1',
    });
    expect(dry.body.plan.target).toMatch(/^deploy hook 127\.0\.0\.1:\d+$/);
    const stale = await rollback(id, { fromVersion: 'search-0' });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/plan changed/);
    expect(await types(id)).toEqual(before);
  });

  it('signed POST; 503 twice then 202: retried with the same delivery id, then started; completes on the deployment', async () => {
    const id = await declare('search');
    const r = await rollback(id, { fromVersion: 'search-2', toVersion: 'search-1' });
    expect(r.status).toBe(200);
    expect(r.body.rollback).toMatchObject({
      status: 'requested',
      fromVersion: 'search-2',
      toVersion: 'search-1',
      requestedBy: 'token:ops',
    });
    await waitFor(async () => (await types(id)).includes('ROLLBACK_STARTED'), 15_000, 'ROLLBACK_STARTED');
    const calls = hook.calls.filter((c) => c.path === '/good');
    expect(calls.map((c) => c.status)).toEqual([503, 503, 202]);
    expect(calls.every((c) => c.signatureOk)).toBe(true);
    expect(new Set(calls.map((c) => c.delivery))).toEqual(new Set([r.body.rollback.id]));
    expect(calls[0].body).toMatchObject({
      type: 'rollback.requested',
      service: 'search',
      environment: 'production',
      version: 'search-1',
      fromVersion: 'search-2',
    });
    await deploy('search', 'search-1', 0, 'search-rollback');
    await waitFor(async () => (await types(id)).includes('ROLLBACK_COMPLETED'), 10_000, 'ROLLBACK_COMPLETED');
    expect((await payloadOf(id, 'ROLLBACK_COMPLETED')).durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a receiver that rejects the signature (401) fails the rollback at once, with the reason, and is not retried', async () => {
    const id = await declare('billing');
    expect((await rollback(id, {})).status).toBe(200);
    await waitFor(async () => (await types(id)).includes('ROLLBACK_FAILED'), 15_000, 'ROLLBACK_FAILED');
    const calls = hook.calls.filter((c) => c.path === '/strict');
    expect(calls.map((c) => [c.signatureOk, c.status])).toEqual([[false, 401]]);
    expect(await payloadOf(id, 'ROLLBACK_FAILED')).toMatchObject({
      stage: 'dispatch',
      reason: expect.stringMatching(/HTTP 401/),
    });
    expect(await types(id)).not.toContain('ROLLBACK_STARTED');
    // Failed is over: the environment may be rolled back again.
    expect((await rollback(id, { dryRun: true })).status).toBe(200);
  });

  it(`a hook that keeps answering 5xx is tried ${ROLLBACK_MAX_ATTEMPTS} times, then the rollback fails with the reason`, async () => {
    const id = await declare('ledger');
    expect((await rollback(id, {})).status).toBe(200);
    await waitFor(async () => (await types(id)).includes('ROLLBACK_FAILED'), 20_000, 'ROLLBACK_FAILED');
    expect(hook.calls.filter((c) => c.path === '/down')).toHaveLength(ROLLBACK_MAX_ATTEMPTS);
    expect((await payloadOf(id, 'ROLLBACK_FAILED')).reason).toMatch(/HTTP 503.*gave up after 6 attempts/);
  });

  it('no deployment result within ROLLBACK_TIMEOUT_MINUTES: ROLLBACK_TIMED_OUT (the timer row made due)', async () => {
    const id = await declare('cart');
    expect((await rollback(id, {})).status).toBe(200);
    await waitFor(async () => (await types(id)).includes('ROLLBACK_STARTED'), 15_000, 'ROLLBACK_STARTED');
    const timer = await db()
      .selectFrom('outbox')
      .selectAll()
      .where('incident_id', '=', id)
      .where('kind', '=', 'rollback.timeout')
      .executeTakeFirstOrThrow();
    // 15 minutes by default: the timer waits that long (not asserted on the clock; the row is made due instead).
    expect(Date.parse(String(timer.next_attempt_at)) - Date.now()).toBeGreaterThan(10 * 60_000);
    await db()
      .updateTable('outbox')
      .set({ next_attempt_at: new Date().toISOString() })
      .where('id', '=', timer.id)
      .execute();
    h.app.worker.kick();
    await waitFor(async () => (await types(id)).includes('ROLLBACK_TIMED_OUT'), 10_000, 'ROLLBACK_TIMED_OUT');
    // A late success no longer settles it.
    await deploy('cart', 'cart-1', 0, 'cart-late');
    expect(await types(id)).not.toContain('ROLLBACK_COMPLETED');
  });

  it('time to rollback is readable through the API', async () => {
    const r = await api.call('GET', `/api/v1/orgs/${TEAM}/rollbacks/times`, { token: viewer });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.service)).toEqual(['search']);
  });
});
