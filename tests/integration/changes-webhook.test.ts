import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import examples from '@octokit/webhooks-examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnector } from '../../src/app/connector.service';
import { ADMIN, type Harness, startHarness, TEAM } from '../helpers/harness';
import { bearer, genericSignal } from '../helpers/alerts';
import { dialects } from '../helpers/test-db';

const ROOT = path.resolve(__dirname, '../..');
const example = (name: string, pred: (e: any) => boolean = () => true): any =>
  structuredClone((examples as any[]).find((d) => d.name === name)!.examples.find(pred));
/** Exactly as GitHub signs a delivery: HMAC-SHA256 of the raw body with the webhook secret. */
const githubHeaders = (secret: string, event: string, raw: string) => ({
  'content-type': 'application/json',
  'x-github-event': event,
  'x-github-delivery': randomUUID(),
  'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`,
});

describe.each(dialects())('change webhooks (%s)', (dialect) => {
  let h: Harness;
  let gh: { id: string; token: string };
  let gl: { id: string; token: string };
  let generic: { id: string; token: string };
  const db = () => h.tdb.db;
  const post = async (id: string, raw: string | Buffer, headers: Record<string, string>) => {
    const res = await fetch(`${h.app.url}/connectors/${id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  };
  const github = (event: string, payload: unknown, secret = gh.token) => {
    const raw = JSON.stringify(payload);
    return post(gh.id, raw, githubHeaders(secret, event, raw));
  };
  const counts = async () => ({
    deployments: Number(
      (
        await db()
          .selectFrom('deployments')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    statuses: Number(
      (
        await db()
          .selectFrom('deployment_statuses')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });
  const deployment = (externalId: string) =>
    db()
      .selectFrom('deployments')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
  /** A GitHub deployment_status example for checkout at `version`, deployment `id`, in `state` at `at`. */
  const status = (id: number, version: string, state: string, at: string) => {
    const p = example('deployment_status');
    p.deployment.id = id;
    p.deployment.payload = { version, service: 'checkout' };
    p.deployment.created_at = '2026-12-02T08:00:00Z';
    p.deployment_status.state = state;
    p.deployment_status.created_at = at;
    p.deployment_status.updated_at = at;
    return p;
  };

  beforeAll(async () => {
    h = await startHarness(dialect);
    const deps = { db: db(), config: h.config, now: () => new Date() };
    const admin = { kind: 'user' as const, id: ADMIN, role: 'admin' as const };
    gh = await addConnector(deps, { orgId: TEAM, actor: admin, kind: 'github' });
    gl = await addConnector(deps, { orgId: TEAM, actor: admin, kind: 'gitlab' });
    generic = await addConnector(deps, { orgId: TEAM, actor: admin, kind: 'changes' });
  });
  afterAll(async () => h?.close());

  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const before = await counts();
    const body = example('deployment');
    expect(await github('deployment', body, 'not-the-secret')).toMatchObject({
      status: 401,
      body: { error: 'bad_signature' },
    });
    const raw = JSON.stringify(body);
    const { 'x-hub-signature-256': _sig, ...unsigned } = githubHeaders(gh.token, 'deployment', raw);
    expect(await post(gh.id, raw, unsigned)).toMatchObject({ status: 401, body: { error: 'missing_signature' } });
    // A good signature over other bytes (tampered body).
    const tampered = await post(
      gh.id,
      raw.replace('production', 'staging'),
      githubHeaders(gh.token, 'deployment', raw),
    );
    expect(tampered.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('answers ping; ignores unknown events and non-deploy runs with 202, storing nothing', async () => {
    const before = await counts();
    expect(await github('ping', example('ping'))).toMatchObject({ status: 202, body: { pong: true, accepted: 0 } });
    expect(await github('issues', { action: 'opened', issue: { number: 1 } })).toMatchObject({
      status: 202,
      body: { accepted: 0, ignored: 'GitHub event "issues"' },
    });
    const run = example('workflow_run', (e) => e.action === 'completed' && e.workflow_run.conclusion === 'success');
    expect((await github('workflow_run', run)).body.ignored).toMatch(/"test" is not a deploy workflow/);
    expect(await counts()).toEqual(before);
  });

  it('refuses a malformed payload with 400 naming the fields, and storing nothing', async () => {
    const before = await counts();
    const bad = example('deployment_status');
    delete bad.deployment.environment;
    bad.deployment_status.created_at = 'soon';
    const r = await github('deployment_status', bad);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_payload');
    expect(r.body.message).toMatch(/deployment\.environment/);
    expect(r.body.message).toMatch(/deployment_status\.created_at/);
    expect((await post(gh.id, '{"deployment":', githubHeaders(gh.token, 'deployment', '{"deployment":'))).status).toBe(
      400,
    );
    expect(await counts()).toEqual(before);
  });

  it('records a real deployment event, then its status; a replay adds nothing; unknown services are flagged', async () => {
    const created = await github('deployment', example('deployment'));
    expect(created).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0, unmapped: ['Hello-World'] } });
    const ok = example('deployment_status');
    expect((await github('deployment_status', ok)).body).toMatchObject({ accepted: 1 });
    const after = await counts();
    const replay = await github('deployment_status', ok);
    expect(replay).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 1 } });
    expect(await counts()).toEqual(after);
    const row = await deployment('deployment:145988746');
    expect(row).toMatchObject({
      service: 'Hello-World',
      environment: 'production',
      status: 'success',
      unmapped: 1,
      version: 'f95f852',
    });
  });

  it('keeps the latest status when updates arrive out of order', async () => {
    expect(
      (await github('deployment_status', status(9001, 'v2', 'success', '2026-12-02T08:05:00Z'))).body.accepted,
    ).toBe(1);
    const late = await github('deployment_status', status(9001, 'v2', 'in_progress', '2026-12-02T08:01:00Z'));
    expect(late).toMatchObject({ status: 202, body: { accepted: 0, stale: 1 } });
    expect(await deployment('deployment:9001')).toMatchObject({
      status: 'success',
      status_at: '2026-12-02T08:05:00.000Z',
      started_at: '2026-12-02T08:00:00.000Z',
    });
    const history = await db()
      .selectFrom('deployment_statuses')
      .select(['status', 'outcome'])
      .where('external_id', '=', 'deployment:9001')
      .orderBy('status_at')
      .execute();
    expect(history).toEqual([
      { status: 'in_progress', outcome: 'stale' },
      { status: 'success', outcome: 'created' },
    ]);
  });

  it('GitLab needs X-Gitlab-Token; the generic shape needs the Bearer token; both land in one history', async () => {
    const hook = {
      object_kind: 'deployment',
      status: 'success',
      status_changed_at: '2026-12-02 09:10:00 +0000',
      deployment_id: 77,
      environment: 'production',
      project: {
        name: 'checkout',
        path_with_namespace: 'shop/checkout',
        web_url: 'https://gitlab.example/shop/checkout',
      },
      short_sha: 'abc1234',
      ref: 'v3',
      user: { username: 'carol' },
    };
    const raw = JSON.stringify(hook);
    expect((await post(gl.id, raw, { 'x-gitlab-event': 'Deployment Hook', 'x-gitlab-token': 'wrong' })).status).toBe(
      401,
    );
    expect((await post(gl.id, raw, { 'x-gitlab-event': 'Deployment Hook' })).status).toBe(401);
    expect(await post(gl.id, raw, { 'x-gitlab-event': 'Deployment Hook', 'x-gitlab-token': gl.token })).toMatchObject({
      status: 202,
      body: { accepted: 1 },
    });
    const change = JSON.stringify({
      service: 'checkout',
      environment: 'staging',
      version: 'v4',
      status: 'failure',
      startedAt: '2026-12-02T09:20:00Z',
      externalId: 'ci-42',
      url: 'https://ci.example/42',
    });
    expect((await post(generic.id, change, bearer('nope'))).status).toBe(401);
    expect(await post(generic.id, change, bearer(generic.token))).toMatchObject({ status: 202, body: { accepted: 1 } });
    const bad = await post(
      generic.id,
      JSON.stringify({ service: 'checkout', status: 'shipped' }),
      bearer(generic.token),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/version/);
    expect(bad.body.message).toMatch(/status/);
  });

  it('refuses a body over 1 MiB with 413; alert connectors on the same path still work', async () => {
    const before = await counts();
    const big = JSON.stringify({ service: 'x', version: '1', status: 'success', url: 'y'.repeat(1024 * 1024) });
    expect((await post(generic.id, big, bearer(generic.token))).status).toBe(413);
    expect(await counts()).toEqual(before);
    const alerts = await addConnector(
      { db: db(), config: h.config, now: () => new Date() },
      { orgId: TEAM, actor: { kind: 'user', id: ADMIN, role: 'admin' }, kind: 'generic' },
    );
    const alert = await post(
      alerts.id,
      JSON.stringify(genericSignal({ serviceName: 'checkout', severity: 'warning' })),
      bearer(alerts.token),
    );
    expect(alert.status).toBe(202);
    expect(alert.body.accepted).toBe(1);
  });

  it('`revenant connector add --kind github` prints a token that works as the GitHub webhook secret', async () => {
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: h.tdb.url, PUBLIC_URL: 'https://revenant.example.com' };
    const out = await promisify(execFile)(
      process.execPath,
      [path.join(ROOT, 'bin/revenant.js'), 'connector', 'add', '--org', TEAM, '--kind', 'github'],
      { cwd: ROOT, env, timeout: 60_000 },
    );
    const c = JSON.parse(out.stdout.trim());
    const raw = JSON.stringify(example('ping'));
    expect(await post(c.id, raw, githubHeaders(c.token, 'ping', raw))).toMatchObject({
      status: 202,
      body: { pong: true },
    });
    expect((await post(c.id, raw, githubHeaders(gh.token, 'ping', raw))).status).toBe(401);
  });

  it('`/incident changes checkout` lists them with the current versions, for a viewer too', async () => {
    await h.command('access grant <@U0004|dave> viewer');
    const r = await h.command('changes checkout', { user: 'U0004' });
    expect(r.status).toBe(200);
    const text = JSON.stringify(r.body.blocks);
    expect(r.body.text).toMatch(/Recent changes to `checkout`: 3 deployment/);
    expect(text).toMatch(/v2/);
    expect(text).toMatch(/v3/);
    expect(text).toMatch(/v4/);
    expect(text).toMatch(/Current versions/);
    // production's current is v3 (GitLab, 09:10) over v2 (08:05); staging has no success yet.
    expect(text).toMatch(/\*checkout\* `production`: <[^|]+\|v3>/);
    expect(text).not.toMatch(/`staging`: /);
    const one = await h.command('changes checkout staging');
    expect(JSON.stringify(one.body)).toMatch(/v4/);
    expect(JSON.stringify(one.body)).not.toMatch(/v2/);
  });
});
