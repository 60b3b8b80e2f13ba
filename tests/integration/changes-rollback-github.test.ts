import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/api-tokens.service';
import { addConnector } from '../../src/app/connector.service';
import { ROLLBACK_IDS } from '../../src/adapters/slack/rollback/rollback.blocks';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { bearer } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { blockActionsPayload } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';
import { writeMapping } from './changes-rollback.fixture';

/**
 * The GitHub Actions path when GitHub does not simply say yes: a 502 is retried and dispatches once; a
 * workflow that needs another input (422) or does not exist (404) fails the rollback with GitHub's reason.
 * Also: a Roll back button naming another incident is refused.
 */
describe.each(dialects())('rollback through GitHub Actions, the unhappy paths (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let admin: string;
  const db = () => h.tdb.db;

  const types = async (incidentId: string) =>
    (
      await db()
        .selectFrom('incident_events')
        .select('type')
        .where('incident_id', '=', incidentId)
        .orderBy('seq')
        .execute()
    ).map((r) => r.type);
  const failure = async (incidentId: string) =>
    JSON.parse(
      String(
        (
          await db()
            .selectFrom('incident_events')
            .select('payload')
            .where('incident_id', '=', incidentId)
            .where('type', '=', 'ROLLBACK_FAILED')
            .executeTakeFirstOrThrow()
        ).payload,
      ),
    );
  const declareAndRollBack = async (service: string) => {
    const r = await api.call('POST', `/api/v1/orgs/${TEAM}/incidents`, {
      token: admin,
      body: { title: `${service} broke`, service, environment: 'production' },
    });
    expect(r.status).toBe(201);
    await h.settle();
    const rb = await api.call('POST', `/api/v1/orgs/${TEAM}/incidents/${r.body.id}/rollback`, {
      token: admin,
      body: {},
    });
    expect(rb.status).toBe(200);
    return r.body.id as string;
  };

  beforeAll(async () => {
    gh = await startGitHubFake({ token: 'ghp_unhappy', owner: 'acme', repo: 'ops' });
    const req = { required: true };
    gh.addWorkflow('acme', 'ops', 'rollback.yml', { inputs: { service: req, environment: req, version: req } });
    gh.addWorkflow('acme', 'ops', 'strict.yml', {
      inputs: { service: req, environment: req, version: req, reason: req },
    });
    const wf = (service: string, workflow: string) => [
      `  ${service}:`,
      '    kind: github_workflow',
      '    repository: acme/ops',
      `    workflow: ${workflow}`,
    ];
    const mapping = writeMapping([
      'rollback:',
      ...wf('orders', 'rollback.yml'),
      ...wf('invoices', 'strict.yml'),
      ...wf('emails', 'missing.yml'),
    ]);
    h = await startHarness(
      dialect,
      { GITHUB_TOKEN: 'ghp_unhappy', GITHUB_API_URL: gh.url, CHANGES_MAPPING_PATH: mapping },
      { outbox: { backoffBaseMs: 10 } },
    );
    api = await apiClient(h.app.url);
    admin = (await createApiToken(db(), { orgId: TEAM, role: 'admin', name: 'ops', createdBy: 't', now: new Date() }))
      .secret;
    const c = await addConnector(
      { db: db(), config: h.config, now: () => new Date() },
      { orgId: TEAM, actor: { kind: 'user', id: ADMIN, role: 'admin' }, kind: 'changes' },
    );
    for (const service of ['orders', 'invoices', 'emails'])
      for (const [version, min] of [
        ['1.0', 300],
        ['1.1', 5],
      ] as const) {
        const at = new Date(Date.now() - min * 60_000).toISOString();
        const body = {
          service,
          version,
          status: 'success',
          startedAt: at,
          finishedAt: at,
          externalId: `${service}-${version}`,
        };
        const res = await fetch(`${h.app.url}/connectors/${c.id}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(c.token) },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(202);
      }
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  it('a 502 from GitHub is retried; the workflow is dispatched once, with the inputs', async () => {
    gh.failNext('server_error', { path: '/dispatches' });
    const id = await declareAndRollBack('orders');
    await waitFor(async () => (await types(id)).includes('ROLLBACK_STARTED'), 15_000, 'ROLLBACK_STARTED');
    const calls = gh.calls.filter((c) => c.path.endsWith('/rollback.yml/dispatches')).map((c) => c.status);
    expect(calls).toEqual([502, 204]);
    expect(gh.dispatches('acme', 'ops')).toEqual([
      expect.objectContaining({
        workflow: 'rollback.yml',
        ref: 'main',
        inputs: { service: 'orders', environment: 'production', version: '1.0' },
      }),
    ]);
  });

  it("a workflow needing another input: GitHub's 422 fails the rollback at once with its message", async () => {
    const id = await declareAndRollBack('invoices');
    await waitFor(async () => (await types(id)).includes('ROLLBACK_FAILED'), 15_000, 'ROLLBACK_FAILED');
    expect(await failure(id)).toMatchObject({
      stage: 'dispatch',
      reason: expect.stringMatching(/HTTP 422.*Required input 'reason' not provided/),
    });
    expect(gh.calls.filter((c) => c.path.endsWith('/strict.yml/dispatches'))).toHaveLength(1);
  });

  it('an unknown workflow: 404, failed, not retried', async () => {
    const id = await declareAndRollBack('emails');
    await waitFor(async () => (await types(id)).includes('ROLLBACK_FAILED'), 15_000, 'ROLLBACK_FAILED');
    expect((await failure(id)).reason).toMatch(/missing\.yml in acme\/ops\) answered HTTP 404/);
    expect(gh.calls.filter((c) => c.path.endsWith('/missing.yml/dispatches'))).toHaveLength(1);
  });

  it("a Roll back button naming another incident is refused in this incident's channel", async () => {
    const rows = await db().selectFrom('incidents').select(['id', 'channel_id']).orderBy('number').execute();
    const [a, b] = rows;
    const before = await types(b.id);
    const payload = blockActionsPayload({
      teamId: TEAM,
      userId: ADMIN,
      channel: { id: a.channel_id! },
      message: { ts: '1.1' },
      actions: [
        {
          actionId: ROLLBACK_IDS.open,
          blockId: 'x',
          value: JSON.stringify({ v: 1, i: b.id, s: 'invoices', e: 'production' }),
        },
      ],
      responseUrl: h.slack.responseUrl(undefined, { teamId: TEAM, channelId: a.channel_id!, userId: ADMIN }),
    });
    const n = h.slack.responses.length;
    expect((await h.interact(payload)).status).toBe(200);
    const reply = await waitFor(() => h.slack.responses[n], 8000, 'the refusal');
    expect(JSON.stringify(reply.body)).toMatch(/belongs to another incident/);
    expect(await types(b.id)).toEqual(before);
    expect(h.slack.views().filter((v) => v.view.callback_id === ROLLBACK_IDS.confirm)).toHaveLength(0);
  });
});
