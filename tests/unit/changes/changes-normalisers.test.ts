import examples from '@octokit/webhooks-examples';
import { describe, expect, it } from 'vitest';
import { normaliseChange } from '../../../src/changes/normalisers';
import type { ChangeNormaliseContext } from '../../../src/changes/change.types';
import { DomainError } from '../../../src/shared/domain-error';

const ctx = (eventType?: string): ChangeNormaliseContext => ({
  eventType,
  receivedAt: '2026-12-02T10:00:00.000Z',
  deployWorkflows: ['deploy*', 'test'],
});
const example = (name: string, i = 0): any =>
  structuredClone((examples as any[]).find((d) => d.name === name)!.examples[i]);
const exampleWhere = (name: string, pred: (e: any) => boolean): any =>
  structuredClone((examples as any[]).find((d) => d.name === name)!.examples.find(pred));
const events = (r: ReturnType<typeof normaliseChange>) => {
  if (r.type !== 'events') throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events;
};
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('invalid_input');
    return (e as DomainError).reason;
  }
  throw new Error('expected a refusal');
};

describe('GitHub change normaliser (real @octokit/webhooks-examples payloads)', () => {
  it('deployment → queued, service from the repository, version the short commit', () => {
    const [e] = events(normaliseChange('github', example('deployment'), ctx('deployment')));
    expect(e).toEqual({
      service: 'Hello-World',
      environment: 'production',
      version: 'f95f852',
      commitSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      ref: 'master',
      status: 'queued',
      url: 'https://github.com/Codertocat/Hello-World/deployments',
      actor: 'Codertocat',
      startedAt: '2019-05-15T15:20:53.000Z',
      statusAt: '2019-05-15T15:20:53.000Z',
      source: 'github',
      externalId: 'deployment:145988746',
    });
  });

  it('deployment_status success and in_progress share the deployment id; payload.version and service win', () => {
    const body = example('deployment_status');
    body.deployment.payload = { version: 'v2.41.0', service: 'checkout' };
    const [s] = events(normaliseChange('github', body, ctx('deployment_status')));
    expect(s).toMatchObject({
      service: 'checkout',
      version: 'v2.41.0',
      status: 'success',
      externalId: 'deployment:145988746',
      finishedAt: '2019-05-15T15:20:55.000Z',
    });
    const running = exampleWhere('deployment_status', (e) => e.deployment_status.state === 'in_progress');
    const [p] = events(normaliseChange('github', running, ctx('deployment_status')));
    expect(p).toMatchObject({
      status: 'in_progress',
      environment: 'github-pages',
      url: running.deployment_status.target_url,
    });
    expect(p.finishedAt).toBeUndefined();
  });

  it('maps every deployment state; inactive is ignored', () => {
    const map: Record<string, string> = {
      pending: 'queued',
      queued: 'queued',
      in_progress: 'in_progress',
      success: 'success',
      failure: 'failure',
      error: 'failure',
    };
    for (const [state, status] of Object.entries(map)) {
      const body = example('deployment_status');
      body.deployment_status.state = state;
      expect(events(normaliseChange('github', body, ctx('deployment_status')))[0].status).toBe(status);
    }
    const inactive = example('deployment_status');
    inactive.deployment_status.state = 'inactive';
    expect(normaliseChange('github', inactive, ctx('deployment_status'))).toMatchObject({ type: 'ignored' });
  });

  it('workflow_run: completed runs of deploy workflows only', () => {
    const done = exampleWhere(
      'workflow_run',
      (e) => e.action === 'completed' && e.workflow_run.conclusion === 'success',
    );
    const [e] = events(normaliseChange('github', done, ctx('workflow_run')));
    expect(e).toMatchObject({
      service: 'octo-repo',
      status: 'success',
      version: '3484a3f',
      url: done.workflow_run.html_url,
      externalId: 'workflow_run:289782451:1',
      actor: 'Codertocat',
    });
    const notDeploy = { deployWorkflows: ['deploy*'], receivedAt: ctx().receivedAt, eventType: 'workflow_run' };
    expect(normaliseChange('github', done, notDeploy)).toMatchObject({
      type: 'ignored',
      reason: expect.stringMatching(/not a deploy workflow/),
    });
    const requested = exampleWhere('workflow_run', (e) => e.action === 'requested');
    expect(normaliseChange('github', requested, ctx('workflow_run'))).toMatchObject({ type: 'ignored' });
    const failed = structuredClone(done);
    failed.workflow_run.conclusion = 'timed_out';
    failed.workflow_run.name = 'Deploy staging';
    expect(events(normaliseChange('github', failed, { ...notDeploy }))[0]).toMatchObject({
      status: 'failure',
      environment: 'staging',
    });
  });

  it('release: published only, version the tag', () => {
    const pub = exampleWhere('release', (e) => e.action === 'published');
    expect(events(normaliseChange('github', pub, ctx('release')))[0]).toMatchObject({
      service: 'Hello-World',
      environment: 'release',
      version: '0.0.1',
      status: 'success',
      externalId: 'release:17372790',
    });
    const edited = exampleWhere('release', (e) => e.action === 'edited');
    expect(normaliseChange('github', edited, ctx('release'))).toMatchObject({ type: 'ignored' });
  });

  it('ping is answered; unknown events ignored; malformed payloads name the fields', () => {
    expect(normaliseChange('github', example('ping'), ctx('ping'))).toEqual({
      type: 'ping',
      zen: 'Anything added dilutes everything else.',
    });
    expect(normaliseChange('github', { action: 'opened' }, ctx('issues'))).toEqual({
      type: 'ignored',
      reason: 'GitHub event "issues"',
    });
    const bad = example('deployment_status');
    delete bad.deployment.sha;
    bad.deployment_status.created_at = 'yesterday';
    const reason = refusal(() => normaliseChange('github', bad, ctx('deployment_status')));
    expect(reason).toMatch(/deployment\.sha/);
    expect(reason).toMatch(/deployment_status\.created_at: not an RFC 3339 timestamp/);
  });
});

describe('GitLab, Argo CD and generic change normalisers', () => {
  const gitlab = {
    object_kind: 'deployment',
    status: 'success',
    status_changed_at: '2021-04-28 21:50:00 +0200',
    deployment_id: 15,
    deployable_id: 796,
    deployable_url: 'http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796',
    environment: 'staging',
    project: {
      id: 30,
      name: 'test-deployment-webhooks',
      path_with_namespace: 'root/test-deployment-webhooks',
      web_url: 'http://10.126.0.2:3000/root/test-deployment-webhooks',
    },
    short_sha: '279484c0',
    user: { id: 1, name: 'Administrator', username: 'root' },
    commit_url:
      'http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468',
    commit_title: 'Add new file',
    ref: 'v1.4.0',
  };

  it('GitLab deployment hook (GitLab docs example)', () => {
    expect(events(normaliseChange('gitlab', gitlab, ctx('Deployment Hook')))[0]).toEqual({
      service: 'test-deployment-webhooks',
      environment: 'staging',
      version: 'v1.4.0',
      commitSha: '279484c09fbe69ededfced8c1bb6e6d24616b468',
      ref: 'v1.4.0',
      status: 'success',
      url: gitlab.deployable_url,
      actor: 'root',
      startedAt: '2021-04-28T19:50:00.000Z',
      finishedAt: '2021-04-28T19:50:00.000Z',
      statusAt: '2021-04-28T19:50:00.000Z',
      source: 'gitlab',
      externalId: 'deployment:root/test-deployment-webhooks:15',
    });
    expect(events(normaliseChange('gitlab', { ...gitlab, status: 'running' }, ctx()))[0].status).toBe('in_progress');
    expect(normaliseChange('gitlab', { object_kind: 'push' }, ctx('Push Hook'))).toMatchObject({ type: 'ignored' });
    expect(refusal(() => normaliseChange('gitlab', { ...gitlab, environment: '', deployment_id: 'x' }, ctx()))).toMatch(
      /deployment_id.*environment|environment.*deployment_id/,
    );
  });

  it('Argo CD notification (the documented template)', () => {
    const argo = {
      app: 'checkout-prod',
      service: 'checkout',
      environment: 'production',
      revision: 'abcdef1234567890',
      version: 'v2',
      phase: 'Succeeded',
      startedAt: '2026-12-02T09:00:00Z',
      finishedAt: '2026-12-02T09:02:00Z',
      url: 'https://argocd.example/applications/checkout-prod',
      actor: 'alice',
    };
    expect(events(normaliseChange('argocd', argo, ctx()))[0]).toMatchObject({
      service: 'checkout',
      version: 'v2',
      status: 'success',
      finishedAt: '2026-12-02T09:02:00.000Z',
      externalId: 'checkout-prod:2026-12-02T09:00:00.000Z',
    });
    expect(events(normaliseChange('argocd', { ...argo, phase: 'Running', finishedAt: '' }, ctx()))[0]).toMatchObject({
      status: 'in_progress',
      statusAt: '2026-12-02T09:00:00.000Z',
    });
    expect(refusal(() => normaliseChange('argocd', { app: 'x', phase: 'Succeeded' }, ctx()))).toMatch(/revision/);
  });

  it('generic shape: defaults, arrays with indexed errors, unknown fields refused', () => {
    const [e] = events(normaliseChange('changes', { service: 'checkout', version: 'v2', status: 'success' }, ctx()));
    expect(e).toMatchObject({
      environment: 'production',
      source: 'changes',
      startedAt: '2026-12-02T10:00:00.000Z',
      finishedAt: '2026-12-02T10:00:00.000Z',
    });
    expect(e.externalId).toMatch(/^[0-9a-f]{16}$/);
    const reason = refusal(() =>
      normaliseChange(
        'changes',
        [
          { service: 'a', version: '1', status: 'success' },
          { service: 'b', status: 'done', colour: 'red' },
        ],
        ctx(),
      ),
    );
    expect(reason).toMatch(/\[1\]\.version/);
    expect(reason).toMatch(/\[1\]\.status/);
    expect(reason).toMatch(/colour/);
  });
});
