import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/api-tokens.service';
import { addWebhook } from '../../src/app/webhook.service';
import { verifyWebhook } from '../../src/adapters/webhooks/webhook.signature';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

type Received = { deliveryId: string; event: string; signature: string; body: string; answered: number };

/** A real receiver on loopback: answers `plan[i]` to the i-th request, then `after`. */
async function receiver(plan: number[], after: number) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = plan[got.length] ?? after;
      got.push({
        deliveryId: String(req.headers['revenant-delivery']),
        event: String(req.headers['revenant-event']),
        signature: String(req.headers['revenant-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(dialects())('outgoing webhooks through the outbox (%s)', (dialect) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let flaky: Awaited<ReturnType<typeof receiver>>;
  let gone: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    h = await startHarness(dialect);
    api = await apiClient(h.app.url);
    flaky = await receiver([500, 500, 500], 200);
    gone = await receiver([], 410);
  });
  afterAll(async () => {
    await h?.close();
    await flaky?.close();
    await gone?.close();
  });

  it('a receiver failing 3× with 500 then accepting gets every event once per delivery id, in order, signed', async () => {
    const sub = await addWebhook(h.tdb.db, {
      orgId: TEAM,
      url: flaky.url,
      events: 'incident.*',
      createdBy: 'test',
      now: new Date(),
    });
    const statusOnly = await addWebhook(h.tdb.db, {
      orgId: TEAM,
      url: gone.url,
      events: 'incident.status_changed',
      createdBy: 'test',
      now: new Date(),
    });
    const token = (
      await createApiToken(h.tdb.db, { orgId: TEAM, role: 'admin', name: 'hooks', createdBy: 'test', now: new Date() })
    ).secret;
    const base = `/api/v1/orgs/${TEAM}/incidents`;
    const inc = await api.call('POST', base, { token, body: { title: 'Webhook flow', severity: 'SEV2' } });
    await api.call('PATCH', `${base}/${inc.body.id}/status`, { token, body: { status: 'INVESTIGATING' } });
    await api.call('POST', `${base}/${inc.body.id}/notes`, { token, body: { text: 'first note' } });
    await h.settle();
    const events = await h.tdb.db
      .selectFrom('incident_events')
      .select(['seq', 'type'])
      .where('incident_id', '=', inc.body.id)
      .orderBy('seq')
      .execute();
    expect(events.length).toBeGreaterThanOrEqual(5); // created, channel linked, summary posted, status, note
    await waitFor(
      () => new Set(flaky.got.filter((g) => g.answered === 200).map((g) => g.deliveryId)).size >= events.length,
      30_000,
      'every event accepted',
    );

    const accepted = flaky.got.filter((g) => g.answered === 200);
    const perId = new Map<string, number>();
    for (const g of accepted) perId.set(g.deliveryId, (perId.get(g.deliveryId) ?? 0) + 1);
    expect([...perId.values()].every((n) => n === 1)).toBe(true);
    expect(flaky.got.slice(0, 3).every((g) => g.answered === 500)).toBe(true);
    expect(flaky.got[3].deliveryId).toBe(flaky.got[0].deliveryId); // the failed one is retried before anything later
    const bodies = accepted.map(
      (g) =>
        JSON.parse(g.body) as { id: string; type: string; incidentId: string; event: { seq: number; type: string } },
    );
    expect(bodies.map((b) => b.event.seq)).toEqual(events.map((e) => Number(e.seq)));
    expect(bodies[0].type).toBe('incident.created');
    expect(bodies.every((b, i) => b.id === accepted[i].deliveryId && b.incidentId === inc.body.id)).toBe(true);
    expect(flaky.got.every((g) => verifyWebhook(sub.secret, g.body, g.signature, Math.floor(Date.now() / 1000)))).toBe(
      true,
    );
    expect(
      verifyWebhook('wrong-secret', flaky.got[0].body, flaky.got[0].signature, Math.floor(Date.now() / 1000)),
    ).toBe(false);

    // The delivery log (API): newest first, the three 500s recorded with their status and duration.
    const log = await api.call('GET', `/api/v1/orgs/${TEAM}/webhooks/${sub.subscription.id}/deliveries`, { token });
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(flaky.got.length);
    expect(
      log.body.items.filter((a: { ok: boolean; responseStatus: number }) => !a.ok && a.responseStatus === 500),
    ).toHaveLength(3);

    // 410 unsubscribes: the status-only receiver got exactly one request, and the subscription is gone.
    await waitFor(() => gone.got.length >= 1, 10_000, 'the 410 receiver was called');
    expect(gone.got.map((g) => g.event)).toEqual(['incident.status_changed']);
    const list = await api.call('GET', `/api/v1/orgs/${TEAM}/webhooks`, { token });
    expect(list.body.items.find((w: { id: string }) => w.id === statusOnly.subscription.id)).toMatchObject({
      removedReason: 'gone (410)',
    });
    await api.call('PATCH', `${base}/${inc.body.id}/status`, { token, body: { status: 'MITIGATED' } });
    await h.settle();
    await waitFor(
      () => flaky.got.some((g) => g.body.includes('"MITIGATED"') && g.answered === 200),
      10_000,
      'the next status change',
    );
    expect(gone.got).toHaveLength(1);
  });
});
