import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/api-tokens.service';
import { addConnector } from '../../src/app/connector.service';
import { bearer } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

describe.each(dialects())('changes API (%s)', (dialect) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let viewer: string;
  let other: string;

  const send = async (id: string, token: string, body: unknown) =>
    (
      await fetch(`${h.app.url}/connectors/${id}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify(body),
      })
    ).status;

  beforeAll(async () => {
    h = await startHarness(dialect);
    api = await apiClient(h.app.url);
    viewer = (
      await createApiToken(h.tdb.db, {
        orgId: TEAM,
        role: 'viewer',
        name: 'reader',
        createdBy: 'test',
        now: new Date(),
      })
    ).secret;
    other = (
      await createApiToken(h.tdb.db, {
        orgId: 'T0002',
        role: 'admin',
        name: 'other',
        createdBy: 'test',
        now: new Date(),
      })
    ).secret;
    const c = await addConnector(
      { db: h.tdb.db, config: h.config, now: () => new Date() },
      { orgId: TEAM, actor: { kind: 'user', id: ADMIN, role: 'admin' }, kind: 'changes' },
    );
    const d = (o: Record<string, unknown>) => ({ service: 'checkout', environment: 'production', ...o });
    expect(
      await send(c.id, c.token, [
        d({
          version: 'v1',
          status: 'success',
          startedAt: '2026-12-02T08:00:00Z',
          finishedAt: '2026-12-02T08:02:00Z',
          externalId: 'r1',
        }),
        d({
          version: 'v2',
          status: 'success',
          startedAt: '2026-12-02T09:00:00Z',
          finishedAt: '2026-12-02T09:02:00Z',
          externalId: 'r2',
        }),
        d({
          version: 'v3',
          status: 'failure',
          startedAt: '2026-12-02T10:00:00Z',
          finishedAt: '2026-12-02T10:01:00Z',
          externalId: 'r3',
        }),
        d({
          service: 'search',
          version: 's9',
          status: 'in_progress',
          startedAt: '2026-12-02T10:30:00Z',
          externalId: 'r4',
        }),
      ]),
    ).toBe(202);
  });
  afterAll(async () => h?.close());

  it('the served OpenAPI document, with the change routes, is valid OpenAPI 3.1', async () => {
    expect(Object.keys(api.doc.paths)).toEqual(
      expect.arrayContaining(['/orgs/{orgId}/changes', '/orgs/{orgId}/environments']),
    );
    const res = await new Validator().validate(api.doc as never);
    expect(res.errors ?? []).toEqual([]);
  });

  it('GET /changes filters by service, environment, status and time, newest first', async () => {
    const all = await api.call('GET', `/api/v1/orgs/${TEAM}/changes`, { token: viewer });
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: any) => i.version)).toEqual(['s9', 'v3', 'v2', 'v1']);
    const window = await api.call(
      'GET',
      `/api/v1/orgs/${TEAM}/changes?service=checkout&since=2026-12-02T08:30:00Z&until=2026-12-02T09:30:00Z`,
      { token: viewer },
    );
    expect(window.body.items.map((i: any) => i.version)).toEqual(['v2']);
    const failed = await api.call('GET', `/api/v1/orgs/${TEAM}/changes?status=failure`, { token: viewer });
    expect(failed.body.items.map((i: any) => i.version)).toEqual(['v3']);
    const bad = await api.call('GET', `/api/v1/orgs/${TEAM}/changes?status=done&since=later`, { token: viewer });
    expect(bad.status).toBe(400);
  });

  it('POST /changes records the generic shape (responder+); a repeat is a duplicate; viewers and bad bodies are refused', async () => {
    const responder = (
      await createApiToken(h.tdb.db, { orgId: TEAM, role: 'responder', name: 'ci', createdBy: 'test', now: new Date() })
    ).secret;
    const body = {
      service: 'billing',
      environment: 'production',
      version: 'b7',
      status: 'success',
      startedAt: '2026-12-02T07:00:00Z',
      externalId: 'api-1',
    };
    const first = await api.call('POST', `/api/v1/orgs/${TEAM}/changes`, { token: responder, body });
    expect(first).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0, unmapped: ['billing'] } });
    expect((await api.call('POST', `/api/v1/orgs/${TEAM}/changes`, { token: responder, body })).body).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
    expect(
      (
        await api.call('POST', `/api/v1/orgs/${TEAM}/changes`, {
          token: viewer,
          body: { ...body, externalId: 'api-2' },
        })
      ).status,
    ).toBe(403);
    const bad = await api.call('POST', `/api/v1/orgs/${TEAM}/changes`, {
      token: responder,
      body: { service: 'billing', status: 'shipped' },
    });
    expect(bad.status).toBe(400);
    const listed = await api.call('GET', `/api/v1/orgs/${TEAM}/changes?service=billing`, { token: viewer });
    expect(listed.body.items).toEqual([
      expect.objectContaining({ version: 'b7', externalId: 'api-1', unmapped: true }),
    ]);
  });

  it('GET /environments gives the last successful version and notes a failed latest; other orgs see nothing', async () => {
    const r = await api.call('GET', `/api/v1/orgs/${TEAM}/environments`, { token: viewer });
    expect(r.status).toBe(200);
    expect(r.body.items.filter((i: any) => i.service === 'checkout')).toEqual([
      expect.objectContaining({
        service: 'checkout',
        environment: 'production',
        version: 'v2',
        latest: { version: 'v3', status: 'failure', at: '2026-12-02T10:01:00.000Z' },
      }),
    ]);
    expect((await api.call('GET', `/api/v1/orgs/${TEAM}/environments`, { token: other })).status).toBe(404);
    const mine = await api.call('GET', `/api/v1/orgs/T0002/changes`, { token: other });
    expect(mine.body.items).toEqual([]);
  });
});
