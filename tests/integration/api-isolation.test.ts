import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, revokeToken } from '../../src/app/api-tokens.service';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

const OTHER = 'T0002';

/** Bodies that would succeed on a route of one's own org, by the route's last path segment. */
function bodyFor(method: string, path: string): unknown {
  if (method === 'get') return undefined;
  if (path.endsWith('/incidents')) return { title: 'Cross-org declare', severity: 'SEV3' };
  if (path.endsWith('/status')) return { status: 'INVESTIGATING' };
  if (path.endsWith('/severity')) return { severity: 'SEV1' };
  if (path.includes('/roles/')) return { userId: 'U0003' };
  if (path.endsWith('/notes') || path.endsWith('/updates') || path.endsWith('/actions'))
    return { text: 'cross-org write' };
  if (path.includes('/actions/')) return { done: true };
  if (path.endsWith('/time')) return { time: '2026-12-02T10:00:00Z' };
  return {};
}

describe.each(dialects())('REST API v1: isolation and bad input (%s)', (dialect) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof apiClient>>;
  const tokens: Record<string, string> = {};
  const ids: Record<string, { incidentId: string; actionId: string }> = {};

  const counts = async () => {
    const n = async (t: 'incident_events' | 'outbox' | 'incidents') =>
      Number(
        (
          await h.tdb.db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { events: await n('incident_events'), outbox: await n('outbox'), incidents: await n('incidents') };
  };

  beforeAll(async () => {
    h = await startHarness(dialect);
    api = await apiClient(h.app.url);
    for (const org of [TEAM, OTHER]) {
      tokens[org] = (
        await createApiToken(h.tdb.db, { orgId: org, role: 'admin', name: 'ops', createdBy: 'test', now: new Date() })
      ).secret;
      const inc = await api.call('POST', `/api/v1/orgs/${org}/incidents`, {
        token: tokens[org],
        body: { title: `Incident of ${org}`, severity: 'SEV2' },
      });
      expect(inc.status).toBe(201);
      const act = await api.call('POST', `/api/v1/orgs/${org}/incidents/${inc.body.id}/actions`, {
        token: tokens[org],
        body: { text: `Follow-up of ${org}` },
      });
      ids[org] = { incidentId: inc.body.id, actionId: act.body.followUp.id };
    }
    await h.settle();
  });
  afterAll(async () => h?.close());

  it('walks every route of the document with the other org: 404 every time, nothing read or written', async () => {
    const before = await counts();
    let walked = 0;
    for (const [template, ops] of Object.entries(api.doc.paths)) {
      if (!template.includes('{orgId}')) continue;
      for (const method of Object.keys(ops)) {
        // 1. The other org in the path. 2. Our org in the path, the other org's ids.
        const variants = [
          template
            .replace('{orgId}', OTHER)
            .replace('{incidentId}', ids[OTHER].incidentId)
            .replace('{actionId}', ids[OTHER].actionId)
            .replace('{role}', 'commander')
            .replace('{service}', 'checkout')
            .replace('{entryId}', 'eyJzIjoiY2hlY2tvdXQiLCJlIjoicHJvZCJ9')
            .replace('{webhookId}', 'whk_x')
            .replace('{seq}', '1'),
          template
            .replace('{orgId}', TEAM)
            .replace('{incidentId}', ids[OTHER].incidentId)
            .replace('{actionId}', ids[OTHER].actionId)
            .replace('{role}', 'commander')
            .replace('{service}', 'checkout')
            .replace('{entryId}', 'eyJzIjoiY2hlY2tvdXQiLCJlIjoicHJvZCJ9')
            .replace('{webhookId}', 'whk_x')
            .replace('{seq}', '1'),
        ];
        for (const [i, path] of variants.entries()) {
          if (i === 1 && !template.includes('{incidentId}')) continue; // nothing of the other org in it
          const r = await api.call(method.toUpperCase(), `/api/v1${path}`, {
            token: tokens[TEAM],
            body: bodyFor(method, template),
          });
          expect(r.status, `${method} ${path}`).toBe(404);
          expect(r.body.code).toBe('not_found');
          expect(r.raw).not.toContain(`Incident of ${OTHER}`);
          walked++;
        }
        // Our own follow-up id on our incident, the other org's incident id: still 404 (the action route).
      }
    }
    expect(walked).toBeGreaterThanOrEqual(20);
    expect(await counts()).toEqual(before);
    const mine = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents`, { token: tokens[TEAM] });
    expect(mine.body.items.map((i: { title: string }) => i.title)).toEqual([`Incident of ${TEAM}`]);
    const orgs = await api.call('GET', '/api/v1/orgs', { token: tokens[TEAM] });
    expect(orgs.body.items.map((o: { id: string }) => o.id)).toEqual([TEAM]);
  });

  it('refuses every bad input with its problem+json status, writing nothing', async () => {
    const base = `/api/v1/orgs/${TEAM}/incidents`;
    const t = tokens[TEAM];
    const note = `${base}/${ids[TEAM].incidentId}/notes`;
    const viewer = (
      await createApiToken(h.tdb.db, {
        orgId: TEAM,
        role: 'viewer',
        name: 'dashboard',
        createdBy: 'test',
        now: new Date(),
      })
    ).secret;
    const expired = await createApiToken(h.tdb.db, {
      orgId: TEAM,
      role: 'admin',
      name: 'old',
      createdBy: 'test',
      now: new Date(),
      expires: '1m',
    });
    await h.tdb.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', expired.token.id)
      .execute();
    const revoked = await createApiToken(h.tdb.db, {
      orgId: TEAM,
      role: 'admin',
      name: 'leaked',
      createdBy: 'test',
      now: new Date(),
    });
    await revokeToken(h.tdb.db, TEAM, 'leaked', new Date());
    const before = await counts();

    const cases: { what: string; status: number; code: string; res: Promise<Awaited<ReturnType<typeof api.call>>> }[] =
      [
        {
          what: 'malformed JSON',
          status: 400,
          code: 'invalid_json',
          res: api.call('POST', base, {
            token: t,
            rawBody: '{"title": "x",',
            headers: { 'content-type': 'application/json' },
          }),
        },
        {
          what: 'wrong content type',
          status: 415,
          code: 'unsupported_media_type',
          res: api.call('POST', base, {
            token: t,
            rawBody: 'title=x',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
        },
        {
          what: 'oversized body',
          status: 413,
          code: 'payload_too_large',
          res: api.call('POST', note, {
            token: t,
            rawBody: JSON.stringify({ text: 'x'.repeat(1024 * 1024) }),
            headers: { 'content-type': 'application/json' },
          }),
        },
        {
          what: 'unknown field',
          status: 400,
          code: 'invalid_input',
          res: api.call('POST', note, { token: t, body: { text: 'hello', colour: 'red' } }),
        },
        {
          what: 'bad cursor',
          status: 400,
          code: 'invalid_input',
          res: api.call('GET', `${base}?cursor=not-a-cursor`, { token: t }),
        },
        {
          what: "another list's cursor",
          status: 400,
          code: 'invalid_input',
          res: api.call('GET', `${base}?cursor=${Buffer.from('{"k":"events","p":3}').toString('base64url')}`, {
            token: t,
          }),
        },
        { what: 'limit 0', status: 400, code: 'invalid_input', res: api.call('GET', `${base}?limit=0`, { token: t }) },
        {
          what: 'limit 201',
          status: 400,
          code: 'invalid_input',
          res: api.call('GET', `${base}?limit=201`, { token: t }),
        },
        {
          what: 'limit not a number',
          status: 400,
          code: 'invalid_input',
          res: api.call('GET', `${base}/${ids[TEAM].incidentId}/events?limit=lots`, { token: t }),
        },
        {
          what: 'bad filter',
          status: 400,
          code: 'invalid_input',
          res: api.call('GET', `${base}?status=OPEN,BROKEN&since=yesterday`, { token: t }),
        },
        { what: 'no token', status: 401, code: 'unauthorized', res: api.call('GET', base) },
        { what: 'unknown token', status: 401, code: 'unauthorized', res: api.call('GET', base, { token: 'rvt_nope' }) },
        {
          what: 'expired token',
          status: 401,
          code: 'unauthorized',
          res: api.call('POST', note, { token: expired.secret, body: { text: 'late' } }),
        },
        {
          what: 'revoked token',
          status: 401,
          code: 'unauthorized',
          res: api.call('POST', note, { token: revoked.secret, body: { text: 'leaked' } }),
        },
        {
          what: 'viewer writes',
          status: 403,
          code: 'forbidden',
          res: api.call('POST', note, { token: viewer, body: { text: 'viewer note' } }),
        },
        {
          what: 'viewer declares',
          status: 403,
          code: 'forbidden',
          res: api.call('POST', base, { token: viewer, body: { title: 'viewer incident' } }),
        },
        {
          what: 'unknown incident',
          status: 404,
          code: 'not_found',
          res: api.call('GET', `${base}/00000000-0000-0000-0000-000000000000`, { token: t }),
        },
      ];
    for (const c of cases) {
      const r = await c.res;
      expect(r.status, `${c.what}: ${r.raw.slice(0, 200)}`).toBe(c.status);
      expect(r.headers.get('content-type'), c.what).toBe('application/problem+json');
      expect(r.body, c.what).toMatchObject({ status: c.status, code: c.code, type: `urn:revenant:problem:${c.code}` });
    }
    // A chunked body (no Content-Length) is cut off at 1 MiB too.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const stream = new ReadableStream({
      start(ctl) {
        ctl.enqueue(new TextEncoder().encode('{"text":"'));
        for (let i = 0; i < 20; i++) ctl.enqueue(chunk);
        ctl.enqueue(new TextEncoder().encode('"}'));
        ctl.close();
      },
    });
    const chunked = await fetch(`${h.app.url}${note}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(chunked.headers.get('content-type')).toBe('application/problem+json');
    const unknownField = await api.call('POST', base, {
      token: t,
      body: { title: '', severity: 'SEV9', colour: 'red' },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '(body)',
      'severity',
      'title',
    ]);
    expect(JSON.stringify(unknownField.body.errors)).toContain('colour');
    const bothFilters = await api.call('GET', `${base}?status=OPEN,BROKEN&since=yesterday`, { token: t });
    expect(bothFilters.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['since', 'status']);
    const viewerDetail = await api.call('POST', note, { token: viewer, body: { text: 'viewer note' } });
    expect(viewerDetail.body.detail).toMatch(/responder role.*you are a viewer/);
    expect(await counts()).toEqual(before);
  });

  it('Idempotency-Key: the same body replays the first response, another body is 422', async () => {
    const base = `/api/v1/orgs/${TEAM}/incidents`;
    const t = tokens[TEAM];
    const before = await counts();
    const headers = { 'idempotency-key': 'deploy-4411-declare' };
    const first = await api.call('POST', base, {
      token: t,
      headers,
      body: { title: 'Deploy 4411 broke login', severity: 'SEV2' },
    });
    const again = await api.call('POST', base, {
      token: t,
      headers,
      body: { title: 'Deploy 4411 broke login', severity: 'SEV2' },
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await api.call('POST', base, {
      token: t,
      headers,
      body: { title: 'Something else', severity: 'SEV2' },
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    // Two copies racing: one incident, both answered.
    const race = await Promise.all(
      [1, 2].map(() =>
        api.call('POST', base, {
          token: t,
          headers: { 'idempotency-key': 'race-1' },
          body: { title: 'Raced declare' },
        }),
      ),
    );
    expect(race.map((r) => r.status)).toEqual([201, 201]);
    expect(race[0].body.id).toBe(race[1].body.id);
    expect((await counts()).incidents).toBe(before.incidents + 2);
  });

  it('rate limits per token: 429 with Retry-After and RateLimit-* headers; other tokens unaffected', async () => {
    const burst = (
      await createApiToken(h.tdb.db, { orgId: TEAM, role: 'viewer', name: 'burst', createdBy: 'test', now: new Date() })
    ).secret;
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(
        ...(await Promise.all(Array.from({ length: 50 }, () => api.call('GET', '/api/v1/orgs', { token: burst })))),
      );
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(120);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0].headers.get('ratelimit-remaining')).toBe('0');
    expect(limited[0].headers.get('ratelimit-limit')).toBe('120');
    expect(limited[0].body).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(results[0].headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    expect((await api.call('GET', '/api/v1/orgs', { token: tokens[TEAM] })).status).toBe(200);
  });
});
