import { createHmac, randomUUID } from 'node:crypto';
import examples from '@octokit/webhooks-examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { IDS } from '../../src/adapters/slack/ids';
import { createApiToken } from '../../src/app/api-tokens.service';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { buttonsOf, eventsOf, incidentByNumber, press, replyTo } from '../helpers/postmortem-slack.helpers';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

const TOKEN = 'ghp_followups_token_0001';
const SECRET = 'followups-webhook-secret-0001';
const HOOK = '/webhooks/github/issues';

/** A real @octokit/webhooks-examples `issues` payload, pointed at our repository and issue. */
function issuesPayload(action: 'closed' | 'reopened' | 'edited' | 'labeled', number: number, o: { title?: string; from?: string } = {}) {
  const issues = (examples as any[]).find((d) => d.name === 'issues')!.examples as any[];
  // The examples have no `closed` one: a `reopened` one with GitHub's closed fields is exactly that shape.
  const base = structuredClone(issues.find((e) => e.action === (action === 'edited' || action === 'labeled' ? action : 'reopened')));
  base.action = action;
  base.issue.number = number;
  base.issue.state = action === 'closed' ? 'closed' : 'open';
  if (action === 'closed') Object.assign(base.issue, { closed_at: new Date().toISOString(), state_reason: 'completed' });
  if (o.title) base.issue.title = o.title;
  if (action === 'edited') base.changes = o.from ? { title: { from: o.from } } : { body: { from: 'old body' } };
  Object.assign(base.repository, { name: 'ops', full_name: 'acme/ops' });
  base.repository.owner.login = 'acme';
  base.sender.login = 'octocat';
  return base;
}

/** Exactly as GitHub delivers: HMAC-SHA256 of the raw body, event name and delivery id headers. */
async function deliver(url: string, payload: unknown, o: { secret?: string | null; delivery?: string; event?: string } = {}) {
  const raw = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': o.event ?? 'issues',
    'x-github-delivery': o.delivery ?? randomUUID(),
  };
  if (o.secret !== null) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', o.secret ?? SECRET).update(raw).digest('hex')}`;
  const res = await fetch(`${url}${HOOK}`, { method: 'POST', headers, body: raw });
  return { status: res.status, body: (await res.json()) as any };
}

describe.each(dialects())('follow-ups in GitHub Issues, both ways (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  let inc: IncidentRow;
  let ch: string;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let apiToken: string;
  const actions = () => h.tdb.db.selectFrom('incident_actions').selectAll().where('incident_id', '=', inc.id).orderBy('created_at').execute();
  const followUpMessage = (text: string) => h.slack.messages(ch).find((m) => m.text.includes(text) && buttonsOf(m).includes(IDS.actionExport));
  const exportPress = async (actionId: string, text: string) => press(h, IDS.actionExport, { channel: ch, message: followUpMessage(text), value: actionId });
  const getIncident = () => api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${inc.id}`, { token: apiToken });
  const addFollowUp = async (text: string) => {
    await h.command(`action ${text}`, { channel: ch });
    await h.settle();
    return (await actions()).find((a) => a.text === text.replace(/ <@.*$/, ''))!;
  };

  beforeAll(async () => {
    gh = await startGitHubFake({ token: TOKEN, owner: 'acme', repo: 'ops' });
    gh.addCollaborator('acme', 'ops', 'bob-gh').addRepo('acme', 'gone');
    h = await startHarness(
      dialect,
      { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url, FOLLOWUPS_REPOSITORY: 'acme/ops', FOLLOWUPS_WEBHOOK_SECRET: SECRET },
      { outbox: { backoffBaseMs: 20 } },
    );
    api = await apiClient(h.app.url);
    apiToken = (await createApiToken(h.tdb.db, { orgId: TEAM, role: 'admin', name: 'followups', createdBy: 'test', now: new Date() })).secret;
    await h.command('declare sev2 Checkout errors after deploy');
    await h.settle();
    inc = await incidentByNumber(h, 1);
    ch = inc.channel_id!;
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  it('exports a follow-up as one issue with the labels, the owner and the incident link, however often it is pressed', async () => {
    expect((await h.command('followups map <@U0002> bob-gh')).status).toBe(200);
    await waitFor(async () => (await h.tdb.db.selectFrom('followup_logins').selectAll().execute()).length === 1 || undefined, 8000, 'the login map');
    const a = await addFollowUp('Add a canary stage for checkout <@U0002|bob>');
    expect(buttonsOf(followUpMessage('Add a canary stage')!)).toEqual([IDS.actionDone, IDS.actionExport]);

    const first = await exportPress(a.action_id, 'Add a canary stage');
    const second = await exportPress(a.action_id, 'Add a canary stage');
    expect(await replyTo(h, first, /Exporting “Add a canary stage for checkout” to acme\/ops/)).toBeTruthy();
    expect(await replyTo(h, second, /Exporting|tracked as/)).toBeTruthy();
    await h.settle();

    const issues = gh.issues('acme', 'ops');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ number: 1, title: 'Add a canary stage for checkout', state: 'open', assignees: ['bob-gh'] });
    expect(issues[0].labels).toEqual(['incident', 'follow-up', 'sev2']);
    expect(issues[0].body).toContain(`https://slack.com/app_redirect?channel=${ch}&team=${TEAM}`);
    expect(issues[0].body).toContain('INC-1: Checkout errors after deploy');
    expect(issues[0].body).toContain('Owner: @bob-gh');
    const url = `${gh.url}/acme/ops/issues/1`;
    expect(h.slack.messages(ch).map((m) => m.text)).toContain(`:link: Follow-up tracked in GitHub as <${url}|acme/ops#1>: Add a canary stage for checkout`);

    // A third press after the export: the link, and still one issue and one export request.
    expect(await replyTo(h, await exportPress(a.action_id, 'Add a canary stage'), /is tracked as acme\/ops#1/)).toBeTruthy();
    const types = (await eventsOf(h, inc.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'ACTION_EXPORT_REQUESTED')).toHaveLength(1);
    expect(types.filter((t) => t === 'ACTION_EXPORTED')).toHaveLength(1);
    expect(gh.calls.filter((c) => c.method === 'POST' && c.path === '/repos/acme/ops/issues')).toHaveLength(1);

    const view = await getIncident();
    expect(view.body.followUps[0]).toMatchObject({ done: false, issue: { tracker: 'github', repository: 'acme/ops', number: 1, url }, exportPending: null });
  });

  it('closing the issue on GitHub and delivering the signed issues.closed webhook marks the follow-up done in Slack, API and timeline', async () => {
    gh.editIssue('acme', 'ops', 1, { state: 'closed' });
    const delivery = randomUUID();
    const r = await deliver(h.app.url, issuesPayload('closed', 1), { delivery });
    expect(r).toEqual({ status: 202, body: { result: 'applied', followUps: 1 } });
    await h.settle();
    expect(h.slack.messages(ch).map((m) => m.text)).toContain(':white_check_mark: Follow-up done by octocat (GitHub): Add a canary stage for checkout');
    const view = await getIncident();
    expect(view.body.followUps[0]).toMatchObject({ done: true, completedBy: 'github:octocat' });
    const timeline = await h.tdb.db.selectFrom('incident_timeline').select(['type', 'text']).where('incident_id', '=', inc.id).execute();
    expect(timeline).toContainEqual({ type: 'ACTION_COMPLETED', text: expect.stringMatching(/^github:octocat completed a follow-up/) });

    // GitHub's redelivery (same X-GitHub-Delivery) and a duplicate delivery change nothing; no call back to GitHub.
    const before = (await eventsOf(h, inc.id)).length;
    const callsBefore = gh.calls.length;
    expect(await deliver(h.app.url, issuesPayload('closed', 1), { delivery })).toEqual({ status: 202, body: { result: 'unchanged', followUps: 1 } });
    expect((await deliver(h.app.url, issuesPayload('closed', 1))).body.result).toBe('unchanged');
    await h.settle();
    expect((await eventsOf(h, inc.id)).length).toBe(before);
    expect(gh.calls.length).toBe(callsBefore);
  });

  it('exporting through the API, then marking the follow-up done in Slack closes its issue on GitHub', async () => {
    const a = await addFollowUp('Alert on checkout 5xx rate');
    const r = await api.call('POST', `/api/v1/orgs/${TEAM}/incidents/${inc.id}/actions/${a.action_id}/export`, { token: apiToken });
    expect(r.status).toBe(200);
    expect(r.body.export).toEqual({ state: 'pending', repository: 'acme/ops', note: null });
    await h.settle();
    const again = await api.call('POST', `/api/v1/orgs/${TEAM}/incidents/${inc.id}/actions/${a.action_id}/export`, { token: apiToken });
    expect(again.body).toMatchObject({ export: { state: 'exported' }, followUp: { issue: { number: 2 } } });
    expect(gh.issues('acme', 'ops').map((i) => [i.number, i.state])).toEqual([[1, 'closed'], [2, 'open']]);

    const done = await press(h, IDS.actionDone, { channel: ch, message: followUpMessage('Alert on checkout 5xx'), value: a.action_id });
    await h.settle();
    await waitFor(() => gh.issues('acme', 'ops')[1].state === 'closed' || undefined, 8000, 'issue #2 closed on GitHub');
    expect(gh.issues('acme', 'ops')[1]).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(done).toBeTruthy();
    // GitHub then tells us about our own close: nothing changes.
    expect((await deliver(h.app.url, issuesPayload('closed', 2))).body.result).toBe('unchanged');
  });

  it('a title edit renames the follow-up; reopening on GitHub reopens it without writing back', async () => {
    const renamed = await deliver(h.app.url, issuesPayload('edited', 2, { title: 'Alert on checkout 5xx and latency', from: 'Alert on checkout 5xx rate' }));
    expect(renamed.body.result).toBe('applied');
    const patches = () => gh.calls.filter((c) => c.method === 'PATCH').length;
    const patchesBefore = patches();
    expect((await deliver(h.app.url, issuesPayload('reopened', 2))).body.result).toBe('applied');
    await h.settle();
    const view = await getIncident();
    expect(view.body.followUps[1]).toMatchObject({ text: 'Alert on checkout 5xx and latency', done: false });
    expect(h.slack.messages(ch).map((m) => m.text)).toContain(':pencil2: Follow-up renamed by octocat (GitHub): ~Alert on checkout 5xx rate~ → Alert on checkout 5xx and latency');
    expect(patches()).toBe(patchesBefore);
    // An edit of the body only, and actions we do not track: ignored.
    expect(await deliver(h.app.url, issuesPayload('edited', 2))).toMatchObject({ status: 202, body: { result: 'ignored' } });
    expect(await deliver(h.app.url, issuesPayload('labeled', 2))).toMatchObject({ status: 202, body: { result: 'ignored' } });
  });

  it('/incident followups lists each follow-up with its issue link or an Export button, and the settings', async () => {
    const c = await addFollowUp('Page the payments team on 5xx');
    const before = h.slack.responses.length;
    await h.command('followups', { channel: ch });
    const r = await waitFor(() => h.slack.responses.slice(before).find((x) => (x.body as any).blocks), 8000, 'the list');
    const blocks = (r.body as any).blocks as any[];
    const shown = JSON.stringify(blocks);
    expect(shown).toContain(`<${gh.url}/acme/ops/issues/1|acme/ops#1>`);
    expect(shown).toContain(`<${gh.url}/acme/ops/issues/2|acme/ops#2>`);
    expect(shown).toContain('*Repository:* acme/ops (the default, `FOLLOWUPS_REPOSITORY`)');
    expect(shown).toContain('<@U0002> → bob-gh');
    const buttons = blocks.filter((b) => b.accessory).map((b) => [b.accessory.action_id, b.accessory.value]);
    expect(buttons).toEqual([[IDS.actionExport, c.action_id]]);

    // `followups export` exports the ones not in GitHub yet (here: that one), and only once.
    const n = gh.issues('acme', 'ops').length;
    await h.command('followups export', { channel: ch });
    await waitFor(() => gh.issues('acme', 'ops').find((i) => i.title === 'Page the payments team on 5xx'), 8000, 'the exported rest');
    const again = h.slack.responses.length;
    await h.command('followups export', { channel: ch });
    await waitFor(() => h.slack.responses.slice(again).find((x) => /already in GitHub/.test(String((x.body as any).text))), 8000, 'nothing left');
    await h.settle();
    expect(gh.issues('acme', 'ops')).toHaveLength(n + 1);
  });

  it('refuses forged and unsigned webhooks (401) and ignores unknown issues (202), changing nothing', async () => {
    const before = (await eventsOf(h, inc.id)).length;
    expect((await deliver(h.app.url, issuesPayload('closed', 2), { secret: null })).status).toBe(401);
    expect((await deliver(h.app.url, issuesPayload('closed', 2), { secret: 'not-the-secret' })).status).toBe(401);
    expect(await deliver(h.app.url, issuesPayload('closed', 999))).toEqual({
      status: 202,
      body: { result: 'ignored', reason: 'no follow-up is exported to this issue' },
    });
    expect((await deliver(h.app.url, { zen: 'hi' }, { event: 'ping' })).status).toBe(200);
    expect((await eventsOf(h, inc.id)).length).toBe(before);
    expect((await getIncident()).body.followUps[1].done).toBe(false);
  });

  it('GitHub rate-limited or down: the person is told it is pending, the outbox retries, one issue results', async () => {
    const a = await addFollowUp('Document the rollback runbook');
    gh.failNext('secondary_rate_limited', { path: '/repos/acme/ops', retryAfter: 1, times: 2 });
    const id = await exportPress(a.action_id, 'Document the rollback');
    expect(await replyTo(h, id, /Exporting .*pending and will be retried/s)).toBeTruthy();
    await waitFor(() => gh.issues('acme', 'ops').find((i) => i.title === 'Document the rollback runbook'), 15_000, 'the issue after the rate limit');

    const b = await addFollowUp('Load-test checkout before Black Friday');
    gh.failNext('server_error', { method: 'POST', path: '/repos/acme/ops/issues', times: 2 });
    await exportPress(b.action_id, 'Load-test checkout');
    await waitFor(() => gh.issues('acme', 'ops').find((i) => i.title.startsWith('Load-test')), 15_000, 'the issue after GitHub was down');
    await h.settle();
    expect(gh.issues('acme', 'ops').filter((i) => i.title.startsWith('Load-test'))).toHaveLength(1);
  });

  it('a deleted repository or a revoked token: a clear message and nothing recorded', async () => {
    const c = await addFollowUp('Rotate the payment provider key');
    const eventsBefore = (await eventsOf(h, inc.id)).length;
    // An admin points follow-ups at a repository that is then deleted.
    await h.command('followups repo acme/gone');
    await waitFor(async () => (await h.tdb.db.selectFrom('followup_settings').select('repository').executeTakeFirst())?.repository === 'acme/gone' || undefined, 8000, 'the repository setting');
    gh.deleteRepo('acme', 'gone');
    const gone = await exportPress(c.action_id, 'Rotate the payment');
    expect(await replyTo(h, gone, /GitHub repository acme\/gone was not found/)).toBeTruthy();
    await h.command('followups repo reset');
    await waitFor(async () => (await h.tdb.db.selectFrom('followup_settings').select('repository').executeTakeFirst())?.repository === null || undefined, 8000, 'the reset');
    gh.revokeToken(TOKEN);
    const revoked = await exportPress(c.action_id, 'Rotate the payment');
    expect(await replyTo(h, revoked, /GitHub rejected the token \(401 Bad credentials\)/)).toBeTruthy();
    gh.addToken(TOKEN);
    expect((await eventsOf(h, inc.id)).length).toBe(eventsBefore);
    expect((await getIncident()).body.followUps.find((f: any) => f.id === c.action_id)).toMatchObject({ issue: null, exportPending: null });

    // Gone between the press and the delivery: the export is given up with the reason in the channel.
    gh.failNext('not_found', { method: 'POST', path: '/repos/acme/ops/issues' });
    await exportPress(c.action_id, 'Rotate the payment');
    await h.settle();
    await waitFor(() => h.slack.messages(ch).find((m) => m.text.startsWith(':warning: Could not export the follow-up “Rotate the payment provider key”: GitHub repository acme/ops was not found')), 8000, 'the failure post');
    expect((await getIncident()).body.followUps.find((f: any) => f.id === c.action_id)).toMatchObject({ issue: null, exportPending: null });
  });

  it('settings: a repository that does not exist or a non-admin is refused; auto export on resolve exports the rest', async () => {
    const missing = await h.command('followups repo acme/does-not-exist');
    const reply = await waitFor(() => h.slack.responses.find((r) => /does-not-exist was not found/.test(String((r.body as any).text))), 8000, 'the refusal');
    expect(reply).toBeTruthy();
    expect(missing.status).toBe(200);
    await h.command('followups auto on', { user: 'U0002' });
    await waitFor(() => h.slack.responses.find((r) => /needs the admin role/.test(String((r.body as any).text))), 8000, 'the role refusal');
    expect(await h.tdb.db.selectFrom('followup_settings').select(['repository', 'auto_export']).executeTakeFirst()).toEqual({ repository: null, auto_export: 0 });

    await h.command('followups auto on');
    await waitFor(async () => Number((await h.tdb.db.selectFrom('followup_settings').select('auto_export').executeTakeFirst())?.auto_export) === 1 || undefined, 8000, 'auto on');
    await h.command('status resolved Error rate normal', { channel: ch });
    await h.settle();
    await waitFor(() => gh.issues('acme', 'ops').find((i) => i.title === 'Rotate the payment provider key'), 15_000, 'the auto export');
    await h.settle();
    const view = await getIncident();
    expect(view.body.followUps.every((f: any) => f.issue)).toBe(true);
    expect(new Set(gh.issues('acme', 'ops').map((i) => i.title)).size).toBe(gh.issues('acme', 'ops').length);
  });

  it('reopening a follow-up through the API reopens its issue on GitHub', async () => {
    const first = (await getIncident()).body.followUps[0];
    expect(first).toMatchObject({ done: true, issue: { number: 1 } });
    const r = await api.call('PATCH', `/api/v1/orgs/${TEAM}/incidents/${inc.id}/actions/${first.id}`, { token: apiToken, body: { done: false } });
    expect(r.status).toBe(200);
    await h.settle();
    await waitFor(() => gh.issues('acme', 'ops')[0].state === 'open' || undefined, 8000, 'issue #1 reopened on GitHub');
    expect(gh.issues('acme', 'ops')[0]).toMatchObject({ state: 'open', stateReason: 'reopened' });

    // The issue links are a projection of the log: a rebuild gives the same rows (the webhook's lookup keeps working).
    const before = (await actions()).map((a) => [a.action_id, a.text, a.done, a.issue_key, a.issue_url]);
    expect(before.filter((r) => r[3]).length).toBeGreaterThan(4);
    await rebuildProjections(h.tdb.db);
    expect((await actions()).map((a) => [a.action_id, a.text, a.done, a.issue_key, a.issue_url])).toEqual(before);
    expect((await deliver(h.app.url, issuesPayload('closed', 1))).body.result).toBe('applied');
  });
});
