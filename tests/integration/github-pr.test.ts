import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { GitHubPrError, createGitHubTarget, openPostmortemPr, parseRepository } from '../../src/adapters/github/github-pr';
import { draftPostmortem, postmortemBranch, postmortemFilePath } from '../../src/postmortems/postmortem.markdown';
import { fixtureInput } from '../helpers/postmortem.fixture';

const TOKEN = 'ghp_test_token_1234';
let gh: GitHubFake;

beforeEach(async () => {
  gh = await startGitHubFake({ token: TOKEN, owner: 'acme', repo: 'incidents' });
});
afterEach(async () => {
  await gh.stop();
});

const target = (token = TOKEN, repository = 'acme/incidents') => createGitHubTarget({ token, repository, apiUrl: gh.url, timeoutMs: 5000 });

function prInput(markdown = draftPostmortem(fixtureInput())) {
  const { incident } = fixtureInput();
  return {
    owner: 'acme',
    repo: 'incidents',
    number: incident.number,
    title: incident.title,
    incidentUrl: 'https://acme.slack.com/archives/C42',
    markdown,
    path: postmortemFilePath(incident),
    branch: postmortemBranch(incident.number),
  };
}

async function expectPrError(p: Promise<unknown>, code: string, message: RegExp): Promise<GitHubPrError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitHubPrError);
  const e = err as GitHubPrError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  expect(e.message).not.toContain(TOKEN);
  return e;
}

describe('openPostmortemPr against the GitHub fake (real Octokit)', () => {
  it('creates the branch, the file, the PR and its labels', async () => {
    const { octokit } = target();
    const input = prInput();
    const res = await openPostmortemPr(octokit, input);

    expect(res).toMatchObject({ number: 1, created: true, updated: false, branch: 'postmortem/incident-42', path: 'postmortems/2026-11-21-checkout-errors-after-deploy.md' });
    expect(res.url).toBe(`${gh.url}/acme/incidents/pull/1`);
    expect(res.contentSha).toMatch(/^[0-9a-f]{40}$/);
    expect(gh.branches('acme', 'incidents')).toContain('postmortem/incident-42');
    expect(gh.file('acme', 'incidents', input.path, input.branch)).toBe(input.markdown);
    expect(gh.file('acme', 'incidents', input.path)).toBeUndefined(); // main untouched
    const [pr] = gh.pulls('acme', 'incidents');
    expect(pr).toMatchObject({ head: 'postmortem/incident-42', base: 'main', state: 'open', labels: ['postmortem', 'incident'] });
    expect(pr.title).toBe('Postmortem: INC-42 — Checkout errors after deploy');
    expect(pr.body).toContain('https://acme.slack.com/archives/C42');
    expect(gh.labels('acme', 'incidents')).toEqual(['postmortem', 'incident']);

    const calls = gh.calls.map((c) => `${c.method} ${c.path} ${c.status}`);
    expect(calls).toEqual([
      'GET /repos/acme/incidents 200',
      'GET /repos/acme/incidents/git/ref/heads/main 200',
      'POST /repos/acme/incidents/git/refs 201',
      'GET /repos/acme/incidents/contents/postmortems/2026-11-21-checkout-errors-after-deploy.md 404',
      'PUT /repos/acme/incidents/contents/postmortems/2026-11-21-checkout-errors-after-deploy.md 201',
      'POST /repos/acme/incidents/pulls 201',
      'GET /repos/acme/incidents/labels/postmortem 404',
      'POST /repos/acme/incidents/labels 201',
      'GET /repos/acme/incidents/labels/incident 404',
      'POST /repos/acme/incidents/labels 201',
      'POST /repos/acme/incidents/issues/1/labels 200',
    ]);
    expect(gh.calls.every((c) => c.auth === 'token')).toBe(true);
  });

  it('pressing twice returns the same PR and only rewrites a changed draft (with the sha)', async () => {
    const { octokit } = target();
    const first = await openPostmortemPr(octokit, prInput());

    const again = await openPostmortemPr(octokit, prInput());
    expect(again).toMatchObject({ number: first.number, url: first.url, created: false, updated: false, contentSha: first.contentSha });
    expect(gh.calls.filter((c) => c.method === 'PUT')).toHaveLength(1); // unchanged: no commit

    const changed = draftPostmortem(fixtureInput({ narrative: { rootCause: 'A config default changed in v2.3.' } }));
    gh.calls.length = 0;
    const third = await openPostmortemPr(octokit, { ...prInput(changed), lastWrittenSha: first.contentSha });
    expect(third).toMatchObject({ number: first.number, created: false, updated: true, keptGitHubEdits: false });
    expect(third.contentSha).not.toBe(first.contentSha);
    const put = gh.calls.find((c) => c.method === 'PUT');
    expect((put?.body as { sha?: string }).sha).toBe(first.contentSha);
    expect(gh.file('acme', 'incidents', third.path, third.branch)).toBe(changed);
    expect(gh.pulls('acme', 'incidents')).toHaveLength(1);
    expect(gh.calls.some((c) => c.method === 'POST' && c.path.endsWith('/pulls'))).toBe(false);
  });

  it('keeps edits people made on GitHub instead of overwriting them', async () => {
    const { octokit } = target();
    const first = await openPostmortemPr(octokit, prInput());
    // A teammate edits the file on the PR branch.
    const edited = `${prInput().markdown}\nRoot cause: config default (edited on GitHub)\n`;
    const { data } = await octokit.repos.getContent({ owner: 'acme', repo: 'incidents', path: first.path, ref: first.branch });
    await octokit.repos.createOrUpdateFileContents({ owner: 'acme', repo: 'incidents', path: first.path, branch: first.branch, message: 'edit', content: Buffer.from(edited).toString('base64'), sha: (data as { sha: string }).sha });

    const res = await openPostmortemPr(octokit, { ...prInput(draftPostmortem(fixtureInput({ narrative: { summary: 'new' } }))), lastWrittenSha: first.contentSha });
    expect(res).toMatchObject({ number: first.number, updated: false, keptGitHubEdits: true });
    expect(gh.file('acme', 'incidents', first.path, first.branch)).toBe(edited);
  });

  it('the fake enforces blob shas like GitHub', async () => {
    const { octokit } = target();
    const first = await openPostmortemPr(octokit, prInput());
    const put = (sha?: string) =>
      octokit.repos.createOrUpdateFileContents({ owner: 'acme', repo: 'incidents', path: first.path, branch: first.branch, message: 'x', content: 'eA==', ...(sha ? { sha } : {}) });
    await expect(put()).rejects.toMatchObject({ status: 422, message: expect.stringContaining('"sha" wasn\'t supplied') });
    await expect(put('0'.repeat(40))).rejects.toMatchObject({ status: 409 });
    await expect(octokit.pulls.create({ owner: 'acme', repo: 'incidents', head: first.branch, base: 'main', title: 'dup' })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists for acme:postmortem/incident-42.'),
    });
    await expect(octokit.git.createRef({ owner: 'acme', repo: 'incidents', ref: `refs/heads/${first.branch}`, sha: 'abc' })).rejects.toMatchObject({ status: 422 });
  });

  it('recovers a half-finished press (branch created, nothing else)', async () => {
    gh.seedBranch('acme', 'incidents', 'postmortem/incident-42');
    const res = await openPostmortemPr(target().octokit, prInput());
    expect(res).toMatchObject({ number: 1, created: true });
  });

  it('three concurrent presses end with one PR (duplicate PR and label races are absorbed)', async () => {
    const { octokit } = target();
    const results = await Promise.all([1, 2, 3].map(() => openPostmortemPr(octokit, prInput())));
    expect(results.map((r) => r.number)).toEqual([1, 1, 1]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(gh.pulls('acme', 'incidents')).toHaveLength(1);
    // The races really happened: GitHub refused the duplicates and we recovered.
    expect(gh.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/pulls') && c.status === 422).length).toBeGreaterThan(0);
  });

  it('a failing open-PR lookup surfaces instead of opening a second PR', async () => {
    const { octokit } = target();
    await openPostmortemPr(octokit, prInput());
    gh.failNext('unprocessable', { method: 'GET', path: '/pulls', message: 'Validation Failed' });
    await expectPrError(openPostmortemPr(octokit, prInput()), 'github_error', /GitHub refused the request \(422/);
    expect(gh.pulls('acme', 'incidents')).toHaveLength(1);
  });

  describe('failures become typed errors with a message for Slack', () => {
    it('not_configured without token or repository', () => {
      const error = (cfg: Parameters<typeof createGitHubTarget>[0]) => {
        try {
          createGitHubTarget(cfg);
        } catch (e) {
          return e as GitHubPrError;
        }
        throw new Error('expected createGitHubTarget to throw');
      };
      expect(error({ repository: 'acme/incidents' })).toMatchObject({ code: 'not_configured', message: expect.stringContaining('`GITHUB_TOKEN`') });
      expect(error({ token: 'x', repository: 'not a repo' })).toMatchObject({ code: 'not_configured', message: expect.stringContaining('GITHUB_REPOSITORY') });
      expect(error({})).toMatchObject({ message: expect.stringMatching(/GITHUB_TOKEN.*and.*GITHUB_REPOSITORY/) });
      expect(parseRepository('https://github.com/acme/ops.git')).toEqual({ owner: 'acme', repo: 'ops' });
    });

    it('bad_credentials on 401', async () => {
      await expectPrError(openPostmortemPr(target('ghp_wrong').octokit, prInput()), 'bad_credentials', /GITHUB_TOKEN/);
      expect(gh.calls[0]).toMatchObject({ status: 401 });
    });

    it('repo_not_found on 404', async () => {
      const e = await expectPrError(openPostmortemPr(target(TOKEN, 'acme/nope').octokit, { ...prInput(), repo: 'nope' }), 'repo_not_found', /acme\/nope/);
      expect(e.details.status).toBe(404);
    });

    it('branch_exists when the branch holds someone else’s work', async () => {
      gh.seedBranch('acme', 'incidents', 'postmortem/incident-42', { 'notes.md': 'unrelated work' });
      await expectPrError(openPostmortemPr(target().octokit, prInput()), 'branch_exists', /postmortem\/incident-42.*already exists/);
      expect(gh.pulls('acme', 'incidents')).toHaveLength(0);
    });

    it('branch_exists when the file belongs to another incident', async () => {
      const other = draftPostmortem({ ...fixtureInput(), incident: { ...fixtureInput().incident, id: 'inc_other_org' } });
      gh.seedBranch('acme', 'incidents', 'postmortem/incident-42', { [prInput().path]: other });
      await expectPrError(openPostmortemPr(target().octokit, prInput()), 'branch_exists', /does not hold this incident/);
    });

    it('rate_limited on 403 with x-ratelimit-remaining: 0', async () => {
      const reset = Math.floor(Date.now() / 1000) + 600;
      gh.failNext('rate_limited', { resetAt: reset });
      const e = await expectPrError(openPostmortemPr(target().octokit, prInput()), 'rate_limited', /rate limit.*Try again after \d\d:\d\d UTC/);
      expect(e.details.retryAt).toBe(new Date(reset * 1000).toISOString());
    });

    it('rate_limited on 429 with retry-after', async () => {
      gh.failNext('secondary_rate_limited', { retryAfter: 120, method: 'POST', path: '/pulls' });
      const before = Date.now();
      const e = await expectPrError(openPostmortemPr(target().octokit, prInput()), 'rate_limited', /about 2 min/);
      const retryAt = new Date(e.details.retryAt!).getTime();
      expect(retryAt - before).toBeGreaterThanOrEqual(119_000);
      expect(retryAt - before).toBeLessThan(130_000);
    });

    it('forbidden when the token may not write', async () => {
      gh.addToken('ghp_read_only', { write: false });
      await expectPrError(openPostmortemPr(target('ghp_read_only').octokit, prInput()), 'forbidden', /Contents, Pull requests and Issues write/);
    });

    it('unavailable when GitHub is down or unreachable', async () => {
      gh.failNext('server_error');
      await expectPrError(openPostmortemPr(target().octokit, prInput()), 'unavailable', /could not be reached or had an error/);
      const dead = createGitHubTarget({ token: TOKEN, repository: 'acme/incidents', apiUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
      await expectPrError(openPostmortemPr(dead.octokit, prInput()), 'unavailable', /Try again/);
    });
  });
});
