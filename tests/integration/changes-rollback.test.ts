import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnector } from '../../src/app/connector.service';
import { listEnvironments } from '../../src/app/changes.service';
import { rollbackTimes } from '../../src/app/rollback-reads.service';
import { ROLLBACK_IDS } from '../../src/adapters/slack/rollback/rollback.blocks';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { bearer, genericSignal } from '../helpers/alerts';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { blockActionsPayload, viewSubmissionPayload } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';
import { ago, deploymentStatus, sendGithub, workflowRun, writeMapping } from './changes-rollback.fixture';

describe.each(dialects())('rollback from an incident (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  let github: { id: string; token: string };
  let incident: { id: string; channel_id: string; summary_ts: string };
  const db = () => h.tdb.db;

  const send = (payload: unknown) => sendGithub(h.app.url, github, payload);
  const eventTypes = async () =>
    (
      await db()
        .selectFrom('incident_events')
        .select('type')
        .where('incident_id', '=', incident.id)
        .orderBy('seq')
        .execute()
    ).map((r) => r.type);
  const summary = () => h.slack.messages(incident.channel_id).find((m) => m.ts === incident.summary_ts)!;
  const press = (user: string, value: string) =>
    h.interact(
      blockActionsPayload({
        teamId: TEAM,
        userId: user,
        channel: { id: incident.channel_id },
        message: { ts: incident.summary_ts },
        actions: [{ actionId: ROLLBACK_IDS.open, blockId: 'changes', value }],
        responseUrl: h.slack.responseUrl(undefined, { teamId: TEAM, channelId: incident.channel_id, userId: user }),
      }),
    );
  const confirmViews = () => h.slack.views().filter((v) => v.view.callback_id === ROLLBACK_IDS.confirm);

  beforeAll(async () => {
    gh = await startGitHubFake({ token: 'ghp_rollback', owner: 'acme', repo: 'checkout' });
    const required = { required: true };
    gh.addWorkflow('acme', 'checkout', 'rollback.yml', { inputs: { service: required, environment: required, version: required } });
    const mapping = writeMapping([
      'repositories:',
      '  acme/checkout-service: checkout',
      'deployWorkflows: [ship-it*]',
      'environments:',
      '  prod: production',
      'rollback:',
      '  checkout:',
      '    kind: github_workflow',
      '    repository: acme/checkout',
      '    workflow: rollback.yml',
      '    ref: main',
    ]);
    h = await startHarness(dialect, { GITHUB_TOKEN: 'ghp_rollback', GITHUB_API_URL: gh.url, CHANGES_MAPPING_PATH: mapping });
    const admin = { kind: 'user' as const, id: ADMIN, role: 'admin' as const };
    const deps = { db: db(), config: h.config, now: () => new Date() };
    github = await addConnector(deps, { orgId: TEAM, actor: admin, kind: 'github' });
    const alerts = await addConnector(deps, { orgId: TEAM, actor: admin, kind: 'generic' });
    await h.command('access grant <@U0004|dave> viewer');
    await h.command('access grant <@U0005|erin> responder');

    // v1 yesterday, v2 twelve minutes ago (both successful), then the alert.
    expect(await send(deploymentStatus(101, 'v1', 'success', ago(24 * 60)))).toBe(202);
    expect(await send(deploymentStatus(102, 'v2', 'success', ago(12)))).toBe(202);
    const alert = genericSignal({ serviceName: 'checkout', severity: 'critical', metrics: { errorRate: 0.3 } });
    const res = await fetch(`${h.app.url}/connectors/${alerts.id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(alerts.token) },
      body: JSON.stringify(alert),
    });
    expect(res.status).toBe(202);
    incident = await waitFor(
      async () => {
        const row = await db().selectFrom('incidents').selectAll().where('service', '=', 'checkout').executeTakeFirst();
        return row?.summary_ts && row.channel_id ? (row as typeof incident) : undefined;
      },
      10_000,
      'the auto-declared incident with its summary',
    );
    await h.settle();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  let buttonValue = '';

  it('the summary names the suspect v2 (mapped repository, aliased environment) with a Roll back button', () => {
    const blocks = summary().blocks as any[];
    const line = blocks.find((b) => b.type === 'section' && /\*Changes\*/.test(b.text?.text ?? ''));
    expect(line.text.text).toMatch(
      /checkout <https:[^|]+\|v2> → `production` by Codertocat, 1[1-3] min before the first signal/,
    );
    expect(line.accessory).toMatchObject({ type: 'button', action_id: ROLLBACK_IDS.open, style: 'danger' });
    buttonValue = line.accessory.value;
  });

  it('guidance ranks the suspect change first, as the rollback step with a Roll back button', async () => {
    await h.command('guidance', { channel: incident.channel_id });
    const msg = await waitFor(
      () => h.slack.messages(incident.channel_id).find((m) => /^Guidance for INC-/.test(m.text ?? '')),
      10_000,
      'the guidance message',
    );
    const actions = (msg.blocks as any[]).filter((b) => /^guidance_action_/.test(b.block_id ?? ''));
    expect(actions[0].text.text).toMatch(
      /Roll back checkout v2 → v1 in production, deployed 1[23] min before the first alert/,
    );
    expect(actions[0].text.text).toContain('deployment of checkout v2 to production');
    expect(actions[0].accessory).toMatchObject({ action_id: ROLLBACK_IDS.open, style: 'danger' });
    expect(JSON.parse(actions[0].accessory.value)).toMatchObject({ s: 'checkout', e: 'production' });
  });

  it('a viewer and a plain responder are refused with the reason; nothing is written, no dialog opens', async () => {
    const before = await eventTypes();
    for (const user of ['U0004', 'U0005']) {
      const n = h.slack.responses.length;
      expect((await press(user, buttonValue)).status).toBe(200);
      const reply = await waitFor(() => h.slack.responses[n], 8000, `the refusal for ${user}`);
      expect(JSON.stringify(reply.body)).toMatch(/SRE lead, an admin or the incident commander/);
    }
    expect(confirmViews()).toHaveLength(0);
    expect(await eventTypes()).toEqual(before);
  });

  it('Roll back → a confirmation naming the environment and v2 → v1; confirming twice dispatches once with the inputs', async () => {
    expect((await press(ADMIN, buttonValue)).status).toBe(200);
    const view = await waitFor(() => confirmViews()[0], 8000, 'the confirmation dialog');
    const text = JSON.stringify(view.view.blocks);
    expect(text).toContain('Roll back *checkout* in `production` from *v2* to *v1*');
    expect(text).toContain('GitHub Actions workflow rollback.yml in acme/checkout (main)');
    const submit = () =>
      h.interact(
        viewSubmissionPayload({
          teamId: TEAM,
          userId: ADMIN,
          viewId: String(view.view.id),
          callbackId: ROLLBACK_IDS.confirm,
          privateMetadata: String(view.view.private_metadata),
          values: {},
        }),
      );
    const [a, b] = await Promise.all([submit(), submit()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await waitFor(async () => (await eventTypes()).includes('ROLLBACK_STARTED'), 10_000, 'ROLLBACK_STARTED');
    await h.settle();
    expect(gh.dispatches('acme', 'checkout')).toEqual([
      expect.objectContaining({
        workflow: 'rollback.yml',
        ref: 'main',
        inputs: { service: 'checkout', environment: 'production', version: 'v1' },
      }),
    ]);
    const dispatchCalls = gh.calls.filter((c) => c.path.endsWith('/dispatches'));
    expect(dispatchCalls.map((c) => [c.method, c.path, c.status])).toEqual([
      ['POST', '/repos/acme/checkout/actions/workflows/rollback.yml/dispatches', 204],
    ]);
    const types = await eventTypes();
    expect(types.filter((t) => t === 'ROLLBACK_REQUESTED')).toHaveLength(1);
    const requested = await db()
      .selectFrom('incident_events')
      .select(['payload', 'actor'])
      .where('incident_id', '=', incident.id)
      .where('type', '=', 'ROLLBACK_REQUESTED')
      .executeTakeFirstOrThrow();
    expect(requested.actor).toBe(ADMIN);
    expect(JSON.parse(String(requested.payload))).toMatchObject({
      service: 'checkout',
      environment: 'production',
      fromVersion: 'v2',
      toVersion: 'v1',
      target: { kind: 'github_workflow', repository: 'acme/checkout', workflow: 'rollback.yml' },
    });
    expect(JSON.stringify(summary().blocks)).toMatch(
      /\*Rollback\* checkout `production` v2 → v1: :arrows_counterclockwise: in progress/,
    );
  });

  it('while it runs, another rollback of that environment is refused with the reason', async () => {
    const before = await eventTypes();
    const r = await h.command('rollback checkout production', { channel: incident.channel_id });
    const text = r.body?.text ?? JSON.stringify(await waitFor(() => h.slack.responses.at(-1), 5000, 'the answer'));
    expect(text).toMatch(/already running \(v2 → v1\)/);
    expect(await eventTypes()).toEqual(before);
    // The summary offers no second button meanwhile.
    const line = (summary().blocks as any[]).find((b) => /\*Changes\*/.test(b.text?.text ?? ''));
    expect(line.accessory).toBeUndefined();
  });

  it('a successful deployment_status of v1 completes it: timeline, summary, time to rollback, current version, audit', async () => {
    expect(await send(deploymentStatus(103, 'v1', 'in_progress', ago(0)))).toBe(202);
    expect(await eventTypes()).not.toContain('ROLLBACK_COMPLETED');
    expect(await send(deploymentStatus(103, 'v1', 'success', new Date(Date.now() + 1000).toISOString()))).toBe(202);
    await waitFor(async () => (await eventTypes()).includes('ROLLBACK_COMPLETED'), 10_000, 'ROLLBACK_COMPLETED');
    await h.settle();
    const timeline = await db()
      .selectFrom('incident_timeline')
      .select('text')
      .where('incident_id', '=', incident.id)
      .where('type', '=', 'ROLLBACK_COMPLETED')
      .executeTakeFirstOrThrow();
    expect(timeline.text).toMatch(/^Rollback of checkout in production v2 → v1 succeeded in \d+ (s|min)/);
    expect(JSON.stringify(summary().blocks)).toMatch(
      /\*Rollback\* checkout `production` v2 → v1: :white_check_mark: done in \d+/,
    );
    expect(
      h.slack
        .messages(incident.channel_id)
        .some((m) => /Rollback of \*checkout\*.*succeeded: v1 is live/.test(m.text ?? '')),
    ).toBe(true);

    const times = await rollbackTimes({ db: db() }, { orgId: TEAM });
    expect(times.items).toHaveLength(1);
    expect(times.items[0]).toMatchObject({
      service: 'checkout',
      environment: 'production',
      fromVersion: 'v2',
      toVersion: 'v1',
    });
    expect(times.items[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(times.medianMs).toBe(times.items[0].durationMs);

    const envs = await listEnvironments(
      { db: db() },
      { orgId: TEAM, actor: { kind: 'user', id: ADMIN, role: 'admin' }, service: 'checkout' },
    );
    expect(envs.find((e) => e.environment === 'production')?.version).toBe('v1');

    const audit = await db()
      .selectFrom('deployment_audit')
      .select(['action', 'actor'])
      .where('service', '=', 'checkout')
      .orderBy('at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['rollback_requested', 'rollback_started', 'rollback_completed']);
    expect(audit[0].actor).toBe(ADMIN);
    // Only one dispatch ever went out.
    expect(gh.dispatches('acme', 'checkout')).toHaveLength(1);
  });

  it('a repeat of that success (GitHub redelivery) changes nothing', async () => {
    const before = await eventTypes();
    expect(await send(deploymentStatus(103, 'v1', 'success', new Date(Date.now() + 1000).toISOString()))).toBe(202);
    expect(await eventTypes()).toEqual(before);
  });

  it("the mapping file's deploy workflows decide which workflow_runs are deployments", async () => {
    const send = async (p: unknown) => {
      const raw = JSON.stringify(p);
      const sig = `sha256=${createHmac('sha256', github.token).update(raw).digest('hex')}`;
      const res = await fetch(`${h.app.url}/connectors/${github.id}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'workflow_run', 'x-hub-signature-256': sig },
        body: raw,
      });
      return res.json();
    };
    const shipped = await send(workflowRun(9001, 'Ship it to qa', '.github/workflows/ship-it.yml'));
    expect(shipped).toMatchObject({ accepted: 1, unmapped: [] });
    // `deploy*` is the default only without a mapping that names its own.
    const ignored = await send(workflowRun(9002, 'Deploy', '.github/workflows/deploy.yml'));
    expect(ignored).toMatchObject({ accepted: 0, ignored: 'workflow "Deploy" is not a deploy workflow' });
    const row = await db()
      .selectFrom('deployments')
      .selectAll()
      .where('external_id', '=', 'workflow_run:9001:1')
      .executeTakeFirstOrThrow();
    expect([row.service, row.environment]).toEqual(['checkout', 'qa']);
  });

  it('refusals: not configured for the service, no earlier successful version', async () => {
    const answer = async (text: string) => {
      const n = h.slack.responses.length;
      const r = await h.command(text, { channel: incident.channel_id });
      return r.body?.text ?? JSON.stringify(await waitFor(() => h.slack.responses[n], 5000, 'the answer'));
    };
    const before = await eventTypes();
    expect(await answer('rollback billing production')).toMatch(/Rollback is not configured for billing/);
    // After the rollback, v2 is known bad: it is never offered as a target.
    expect(await answer('rollback checkout production')).toMatch(/no earlier successful version than v1/);
    // checkout in staging: one successful deployment only.
    const one = deploymentStatus(201, 'v9', 'success', ago(30), 'staging');
    expect(await send(one)).toBe(202);
    expect(await answer('rollback checkout staging')).toMatch(/no earlier successful version than v9/);
    expect(await eventTypes()).toEqual(before);
  });
});
