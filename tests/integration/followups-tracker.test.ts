import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followUpDeliveryDeps } from '../../src/adapters/github/followup.deliveries';
import { createGitHubIssues } from '../../src/adapters/github/github-issues';
import { deliverExport, exportMarker } from '../../src/app/followup-delivery.service';
import { isTrackerError, type TrackerError } from '../../src/app/followups.ports';
import { addFollowUp, declareIncident } from '../../src/app/incident-commands.service';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

const TOKEN = 'ghp_followups_tracker_0001';
const ADMIN_ACTOR = { kind: 'user' as const, id: 'U0001', role: 'admin' as const };
const failure = async (p: Promise<unknown>): Promise<TrackerError> => {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!isTrackerError(e)) throw new Error(`expected a TrackerError, got ${String(e)}`);
  return e;
};

/** The GitHub Issues adapter through the real Octokit against the fake, and the export's crash safety. */
describe('GitHub Issues tracker adapter', () => {
  let gh: GitHubFake;
  beforeAll(async () => {
    gh = await startGitHubFake({ token: TOKEN, owner: 'acme', repo: 'ops' });
  });
  afterAll(async () => gh?.stop());
  const tracker = () => createGitHubIssues({ token: TOKEN, apiUrl: gh.url });

  it('creates an issue with labels; an owner who cannot be assigned leaves it unassigned instead of failing', async () => {
    const made = await tracker().createIssue({ repository: 'acme/ops', title: 'x'.repeat(300), body: 'b\n<!-- m1 -->', marker: '<!-- m1 -->', labels: ['incident', 'follow-up', 'sev1'], assignees: ['stranger'] });
    expect(made).toMatchObject({ tracker: 'github', repository: 'acme/ops', number: 1, url: `${gh.url}/acme/ops/issues/1`, assigned: [] });
    const [issue] = gh.issues('acme', 'ops');
    expect(issue.title).toHaveLength(256);
    expect(issue.labels).toEqual(['incident', 'follow-up', 'sev1']);
    expect(gh.calls.filter((c) => c.method === 'POST').map((c) => c.status)).toEqual([422, 201]);
  });

  it('finds an issue by its marker, and closing or reopening twice is the same as once', async () => {
    const t = tracker();
    expect(await t.findIssue('acme/ops', '<!-- m1 -->')).toMatchObject({ number: 1, state: 'open' });
    expect(await t.findIssue('acme/ops', '<!-- other -->')).toBeUndefined();
    const ref = { tracker: 'github', repository: 'acme/ops', number: 1, url: '' };
    expect(await t.setIssueState(ref, 'closed')).toBe('closed');
    expect(await t.setIssueState(ref, 'closed')).toBe('closed');
    expect(gh.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
    expect(await t.setIssueState(ref, 'open')).toBe('open');
    expect(gh.issues('acme', 'ops')[0]).toMatchObject({ state: 'open', stateReason: 'reopened' });
  });

  it('maps GitHub failures to permanent and transient tracker errors with clear messages', async () => {
    expect((await failure(tracker().checkAccess('acme/nope'))).code).toBe('repo_not_found');
    expect((await failure(createGitHubIssues({ token: 'ghp_wrong', apiUrl: gh.url }).checkAccess('acme/ops'))).message).toMatch(/401 Bad credentials/);
    expect((await failure(createGitHubIssues({ apiUrl: gh.url }).checkAccess('acme/ops'))).code).toBe('not_configured');
    gh.failNext('rate_limited', { resetAt: Math.floor(Date.now() / 1000) + 120 });
    const limited = await failure(tracker().checkAccess('acme/ops'));
    expect(limited).toMatchObject({ code: 'rate_limited', transient: true });
    expect(Date.parse(limited.retryAt!)).toBeGreaterThan(Date.now());
    gh.failNext('server_error');
    expect(await failure(tracker().checkAccess('acme/ops'))).toMatchObject({ code: 'unavailable', transient: true });
    gh.failNext('forbidden', { method: 'POST' });
    const refused = await failure(tracker().createIssue({ repository: 'acme/ops', title: 't', body: '', marker: '', labels: [], assignees: [] }));
    expect(refused).toMatchObject({ code: 'forbidden', transient: false });
    expect(tracker().validateRepository('not a repo')).toMatch(/owner\/name/);
  });
});

describe.each(dialects())('an export retried after GitHub created the issue adopts it (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  beforeAll(async () => {
    gh = await startGitHubFake({ token: TOKEN, owner: 'acme', repo: 'ops' });
    // The worker is off: the test delivers the export row's work itself, as a retry would.
    h = await startHarness(dialect, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url, FOLLOWUPS_REPOSITORY: 'acme/ops' }, { startWorker: false });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  it('finds the issue by its marker instead of creating a second one', async () => {
    const deps = h.app.deps;
    const { state } = await declareIncident(deps, { orgId: TEAM, actor: ADMIN_ACTOR, title: 'Queue backlog', severity: 'SEV1' });
    const added = await addFollowUp(deps, { orgId: TEAM, actor: ADMIN_ACTOR, incidentId: state.id, text: 'Cap the queue size' });
    const actionId = added.state.actions[0].id;
    await deps.incidents.execute({ orgId: TEAM, incidentId: state.id, actor: ADMIN_ACTOR, command: { type: 'ExportAction', actionId, tracker: 'github', repository: 'acme/ops' } });
    // The first try reached GitHub, which created the issue, but the answer never came back (timeout).
    await createGitHubIssues({ token: TOKEN, apiUrl: gh.url }).createIssue({
      repository: 'acme/ops',
      title: 'Cap the queue size',
      body: `…\n${exportMarker(TEAM, actionId)}`,
      marker: exportMarker(TEAM, actionId),
      labels: ['follow-up'],
      assignees: [],
    });
    const row = { orgId: TEAM, incidentId: state.id, actionId, repository: 'acme/ops', attempts: 2 };
    const d = followUpDeliveryDeps(deps);
    expect(await deliverExport(d, row)).toEqual({ type: 'done', result: { issue: `${gh.url}/acme/ops/issues/1` } });
    expect(await deliverExport(d, { ...row, attempts: 3 })).toMatchObject({ type: 'done', result: { already: true } });
    expect(gh.issues('acme', 'ops')).toHaveLength(1);
    const after = await deps.incidents.load(TEAM, state.id);
    expect(after.actions[0]).toMatchObject({ issue: { number: 1, repository: 'acme/ops' } });
    expect(after.actions[0].exportPending).toBeUndefined();
  });
});
