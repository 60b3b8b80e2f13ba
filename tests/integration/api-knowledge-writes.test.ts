import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/api-tokens.service';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { ADMIN, type Harness, startHarness, TEAM } from '../helpers/harness';
import { previewsIn } from '../helpers/postmortem-slack.helpers';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

const GH_TOKEN = 'ghp_api_knowledge_token_0001';

/** Guidance, postmortem drafts and pull requests, and reopening follow-ups through the API; webhooks from Slack. */
describe.each(dialects())('REST API v1: guidance, postmortems, follow-up reopen; /incident webhook (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let lead: string;
  let viewer: string;
  let incidentId: string;
  let channelId: string;
  const base = `/api/v1/orgs/${TEAM}`;

  beforeAll(async () => {
    const runbooks = mkdtempSync(path.join(tmpdir(), 'revenant-api-kw-'));
    writeFileSync(path.join(runbooks, 'checkout.md'), '# Checkout\n\n## Mitigate\n\n- Roll back the last deploy\n');
    gh = await startGitHubFake({ token: GH_TOKEN, owner: 'acme', repo: 'incidents' });
    h = await startHarness(dialect, {
      RUNBOOKS_DIR: runbooks,
      GITHUB_TOKEN: GH_TOKEN,
      GITHUB_REPOSITORY: 'acme/incidents',
      GITHUB_API_URL: gh.url,
    });
    api = await apiClient(h.app.url);
    const mk = async (role: string, name: string) =>
      (await createApiToken(h.tdb.db, { orgId: TEAM, role, name, createdBy: ADMIN, now: new Date() })).secret;
    lead = await mk('sre_lead', 'lead');
    viewer = await mk('viewer', 'status-page');
    const r = await api.call('POST', `${base}/incidents`, {
      token: lead,
      body: { title: 'Checkout latency', severity: 'SEV2', service: 'checkout' },
    });
    expect(r.status).toBe(201);
    incidentId = r.body.id;
    await h.settle();
    channelId = r.body.channel?.id ?? (await h.tdb.db.selectFrom('incidents').select('channel_id').executeTakeFirstOrThrow()).channel_id!;
  });
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  it('GET /guidance answers from the runbook, posts nothing in Slack and writes nothing without a model', async () => {
    const before = h.slack.messages(channelId).length;
    const events = await h.tdb.db.selectFrom('incident_events').select('seq').where('incident_id', '=', incidentId).execute();
    const r = await api.call('GET', `${base}/incidents/${incidentId}/guidance`, { token: viewer });
    expect(r.status).toBe(200);
    expect(r.body.generator).toBe('deterministic');
    expect(r.body.actions.map((a: { text: string }) => a.text)).toContain('Roll back the last deploy');
    expect(r.body.actions[0].source).toMatch(/^runbook:/);
    await h.settle();
    expect(h.slack.messages(channelId).length).toBe(before);
    const after = await h.tdb.db.selectFrom('incident_events').select('seq').where('incident_id', '=', incidentId).execute();
    expect(after.length).toBe(events.length);
    const missing = await api.call('GET', `${base}/incidents/inc_nope/guidance`, { token: viewer });
    expect(missing.status).toBe(404);
  });

  it('POST /postmortem/pr before a draft is 404; a viewer may not draft (403); nothing is stored', async () => {
    const pr = await api.call('POST', `${base}/incidents/${incidentId}/postmortem/pr`, { token: lead });
    expect(pr.status).toBe(404);
    expect(pr.body.detail).toMatch(/no postmortem draft yet/i);
    const denied = await api.call('POST', `${base}/incidents/${incidentId}/postmortem`, { token: viewer });
    expect(denied.status).toBe(403);
    expect(await h.tdb.db.selectFrom('postmortems').selectAll().execute()).toEqual([]);
    expect(gh.calls.length).toBe(0);
  });

  it('POST /postmortem drafts (the preview is posted in the channel); the same Idempotency-Key drafts once', async () => {
    const headers = { 'Idempotency-Key': 'draft-1' };
    const r = await api.call('POST', `${base}/incidents/${incidentId}/postmortem`, { token: lead, headers });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ version: 1, duplicate: false });
    const again = await api.call('POST', `${base}/incidents/${incidentId}/postmortem`, { token: lead, headers });
    expect(again.body.version).toBe(1);
    await h.settle();
    expect(previewsIn(h, channelId).length).toBe(1);
    const rows = await h.tdb.db.selectFrom('postmortems').select(['version', 'created_by']).execute();
    expect(rows).toEqual([{ version: 1, created_by: 'token:lead' }]);
  });

  it('POST /postmortem/pr opens the pull request on GitHub and records it on the incident', async () => {
    const r = await api.call('POST', `${base}/incidents/${incidentId}/postmortem/pr`, { token: lead });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: true, version: 1, branch: 'postmortem/incident-1' });
    expect(r.body.url).toMatch(/\/pull\/\d+$/);
    const got = await api.call('GET', `${base}/incidents/${incidentId}`, { token: viewer });
    expect(got.body.postmortem.prUrl).toBe(r.body.url);
    const opened = await h.tdb.db
      .selectFrom('incident_events')
      .select(['type', 'actor'])
      .where('incident_id', '=', incidentId)
      .where('type', '=', 'POSTMORTEM_PR_OPENED')
      .execute();
    expect(opened).toEqual([{ type: 'POSTMORTEM_PR_OPENED', actor: 'token:lead' }]);
  });

  it('a GitHub refusal is problem+json with the reason, not a 500', async () => {
    gh.failNext('bad_credentials');
    const r = await api.call('POST', `${base}/incidents/${incidentId}/postmortem/pr`, { token: lead });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('invalid_input');
    expect(r.raw).not.toContain(GH_TOKEN);
  });

  it('PATCH /actions/:id {done:false} reopens a completed follow-up; reopening an open one is 422', async () => {
    const add = await api.call('POST', `${base}/incidents/${incidentId}/actions`, {
      token: lead,
      body: { text: 'Add a latency SLO' },
    });
    const actionId = add.body.followUp.id;
    const url = `${base}/incidents/${incidentId}/actions/${actionId}`;
    expect((await api.call('PATCH', url, { token: lead, body: { done: true } })).body.followUp.done).toBe(true);
    const reopened = await api.call('PATCH', url, { token: lead, body: { done: false } });
    expect(reopened.status).toBe(200);
    expect(reopened.body.followUp.done).toBe(false);
    const again = await api.call('PATCH', url, { token: lead, body: { done: false } });
    expect(again.status).toBe(422);
    expect(again.body.detail).toMatch(/is not done/);
    const row = await h.tdb.db.selectFrom('incident_actions').selectAll().where('action_id', '=', actionId).executeTakeFirstOrThrow();
    expect(Number(row.done)).toBe(0);
    await h.settle();
    expect(h.slack.messages(channelId).some((m) => /Follow-up reopened/.test(m.text ?? ''))).toBe(true);
  });

  it('/incident webhook: an admin adds (secret shown once), lists, reads the log and removes; others are refused', async () => {
    const refused = await h.command('webhook list', { user: 'U0002' });
    expect(refused.body.text).toMatch(/admin/);
    const added = await h.command('webhook add <https://hooks.example.test/rv|hooks> incident.status_changed', {
      user: ADMIN,
    });
    expect(added.body.response_type ?? 'ephemeral').toBe('ephemeral');
    const id = /`(whk_[^`]+)`/.exec(added.body.text)?.[1];
    expect(id, added.body.text).toBeDefined();
    expect(added.body.text).toMatch(/Signing secret: `[^`]{20,}`/);
    const subs = await h.tdb.db.selectFrom('webhook_subscriptions').selectAll().execute();
    expect(subs.map((s) => [s.id, s.url])).toEqual([[id, 'https://hooks.example.test/rv']]);
    const list = await h.command('webhook list', { user: ADMIN });
    expect(list.body.text).toContain(id);
    expect(list.body.text).not.toMatch(/Signing secret/);
    expect((await h.command(`webhook log ${id}`, { user: ADMIN })).body.text).toMatch(/No deliveries/);
    const bad = await h.command('webhook add ftp://x incident.*', { user: ADMIN });
    expect(bad.body.text).toMatch(/must be http/);
    expect((await h.command(`webhook remove ${id}`, { user: ADMIN })).body.text).toMatch(/removed/);
    expect((await h.command('webhook list', { user: ADMIN })).body.text).toMatch(/No webhook subscriptions/);
    expect((await h.command('webhook remove whk_nope', { user: ADMIN })).body.text).toMatch(/No active webhook/);
  });
});
