import { FakeGitHubError, type Reply, type RouteCtx } from './github-fake.routes';
import { type Urls, labelJson, pullJson, userJson } from './github-fake.shapes';
import { type FakeIssue, type FakeLabel, type FakePull, type FakeRepo, nextId } from './github-fake.state';

/**
 * GitHub's Issues endpoints, as the follow-up export uses them: create (labels created on the fly, assignees
 * must be collaborators), get, list (state, labels, creator, sort, paging; pull requests included as GitHub
 * does), update (title, body, state + state_reason, labels, assignees). Pull requests share the numbers.
 */
const fail = (status: number, message: string, errors?: unknown[]): never => {
  throw new FakeGitHubError(status, message, errors);
};
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function labelsOf(repo: FakeRepo, number: number): FakeLabel[] {
  return (repo.issueLabels.get(number) ?? []).map((n) => repo.labels.get(n.toLowerCase())).filter((l): l is FakeLabel => !!l);
}

function setLabels(repo: FakeRepo, number: number, names: unknown) {
  if (!Array.isArray(names) || !names.every(isStr)) fail(422, 'Validation Failed', [{ resource: 'Label', field: 'labels', code: 'invalid' }]);
  const list: string[] = [];
  for (const name of names as string[]) {
    let label = repo.labels.get(name.toLowerCase());
    // GitHub creates a label that does not exist yet when it is set on an issue.
    if (!label) {
      label = { id: nextId(), name, color: 'ededed', description: null };
      repo.labels.set(name.toLowerCase(), label);
    }
    if (!list.includes(label.name)) list.push(label.name);
  }
  repo.issueLabels.set(number, list);
}

function checkAssignees(repo: FakeRepo, assignees: unknown): string[] {
  if (assignees === undefined) return [];
  if (!Array.isArray(assignees) || !assignees.every(isStr)) return fail(422, 'Validation Failed', [{ resource: 'Issue', field: 'assignees', code: 'invalid' }]);
  for (const login of assignees as string[]) {
    if (![...repo.collaborators].some((c) => c.toLowerCase() === login.toLowerCase())) {
      fail(422, 'Validation Failed', [{ value: login, resource: 'Issue', field: 'assignees', code: 'invalid' }]);
    }
  }
  return assignees as string[];
}

export function issueJson(r: FakeRepo, i: FakeIssue, u: Urls) {
  const base = `${u.api}/repos/${r.owner}/${r.name}`;
  const assignees = i.assignees.map((a) => userJson(a, u));
  return {
    url: `${base}/issues/${i.number}`,
    repository_url: base,
    labels_url: `${base}/issues/${i.number}/labels{/name}`,
    comments_url: `${base}/issues/${i.number}/comments`,
    events_url: `${base}/issues/${i.number}/events`,
    html_url: `${u.html}/${r.owner}/${r.name}/issues/${i.number}`,
    id: i.id,
    node_id: Buffer.from(`Issue:${i.id}`).toString('base64'),
    number: i.number,
    title: i.title,
    user: userJson(i.user, u),
    labels: labelsOf(r, i.number).map((l) => labelJson(r, l, u)),
    state: i.state,
    state_reason: i.stateReason,
    locked: false,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: 0,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    author_association: 'OWNER',
    body: i.body,
  };
}

/** A pull request as the issues API shows it (with `pull_request`). */
function pullAsIssue(r: FakeRepo, p: FakePull, u: Urls) {
  const pull = pullJson(r, p, u);
  return {
    ...issueJson(r, { id: p.id, number: p.number, title: p.title, body: p.body, state: p.state, stateReason: null, assignees: [], user: p.user, createdAt: p.createdAt, updatedAt: p.updatedAt, closedAt: p.state === 'closed' ? p.updatedAt : null }, u),
    html_url: pull.html_url,
    pull_request: { url: pull.url, html_url: pull.html_url, diff_url: pull.diff_url, patch_url: pull.patch_url, merged_at: pull.merged_at },
  };
}

function createIssue({ repo, body, login, urls }: RouteCtx): Reply {
  if (!isStr(body?.title)) fail(422, 'Invalid request.\n\n"title" wasn\'t supplied.');
  if (body.title.length > 256) fail(422, 'Validation Failed', [{ resource: 'Issue', field: 'title', code: 'custom', message: 'title is too long (maximum is 256 characters)' }]);
  const assignees = checkAssignees(repo, body.assignees);
  const now = new Date().toISOString();
  const issue: FakeIssue = {
    id: nextId(),
    number: repo.nextNumber++,
    title: body.title,
    body: typeof body.body === 'string' ? body.body : null,
    state: 'open',
    stateReason: null,
    assignees,
    user: login,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
  };
  repo.issues.push(issue);
  if (body.labels !== undefined) setLabels(repo, issue.number, body.labels);
  return { status: 201, body: issueJson(repo, issue, urls) };
}

function find(repo: FakeRepo, number: string): FakeIssue {
  const issue = repo.issues.find((i) => i.number === Number(number));
  if (!issue) return fail(404, 'Not Found');
  return issue;
}

function getIssue({ repo, params, urls }: RouteCtx): Reply {
  const pull = repo.pulls.find((p) => p.number === Number(params[0]));
  if (pull) return { status: 200, body: pullAsIssue(repo, pull, urls) };
  return { status: 200, body: issueJson(repo, find(repo, params[0]), urls) };
}

function listIssues({ repo, query, urls }: RouteCtx): Reply {
  const state = query.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) fail(422, 'Validation Failed', [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
  const labels = (query.get('labels') ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
  const creator = query.get('creator');
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const sortKey = query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
  const asc = query.get('direction') === 'asc';
  const all = [
    ...repo.issues.map((i) => ({ at: i[sortKey], n: i.number, state: i.state, user: i.user, json: () => issueJson(repo, i, urls) })),
    ...repo.pulls.map((p) => ({ at: p[sortKey], n: p.number, state: p.state, user: p.user, json: () => pullAsIssue(repo, p, urls) })),
  ]
    .filter((x) => state === 'all' || x.state === state)
    .filter((x) => !creator || x.user.toLowerCase() === creator.toLowerCase())
    .filter((x) => labels.every((l) => (repo.issueLabels.get(x.n) ?? []).some((have) => have.toLowerCase() === l)))
    .sort((a, b) => (a.at === b.at ? a.n - b.n : a.at < b.at ? -1 : 1) * (asc ? 1 : -1));
  return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map((x) => x.json()) };
}

function updateIssue({ repo, params, body, urls }: RouteCtx): Reply {
  const issue = find(repo, params[0]);
  if (body?.title !== undefined && !isStr(body.title)) fail(422, 'Validation Failed', [{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
  if (body?.state !== undefined && body.state !== 'open' && body.state !== 'closed') {
    fail(422, 'Validation Failed', [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
  }
  const assignees = body?.assignees !== undefined ? checkAssignees(repo, body.assignees) : undefined;
  const now = new Date().toISOString();
  if (isStr(body?.title)) issue.title = body.title;
  if (body?.body !== undefined) issue.body = typeof body.body === 'string' ? body.body : null;
  if (assignees) issue.assignees = assignees;
  if (body?.labels !== undefined) setLabels(repo, issue.number, body.labels);
  if (body?.state && body.state !== issue.state) {
    issue.state = body.state;
    issue.closedAt = body.state === 'closed' ? now : null;
    issue.stateReason = body.state === 'closed' ? (body.state_reason === 'not_planned' ? 'not_planned' : 'completed') : 'reopened';
  }
  issue.updatedAt = now;
  return { status: 200, body: issueJson(repo, issue, urls) };
}

/** Routes under `/repos/:owner/:repo`, next to REPO_ROUTES. */
export const ISSUE_ROUTES: Array<{ method: string; pattern: RegExp; write: boolean; handle: (ctx: RouteCtx) => Reply }> = [
  { method: 'POST', pattern: /^\/issues$/, write: true, handle: createIssue },
  { method: 'GET', pattern: /^\/issues$/, write: false, handle: listIssues },
  { method: 'GET', pattern: /^\/issues\/(\d+)$/, write: false, handle: getIssue },
  { method: 'PATCH', pattern: /^\/issues\/(\d+)$/, write: true, handle: updateIssue },
];

export const issuesWithLabels = (repo: FakeRepo) => repo.issues.map((i) => ({ ...i, labels: repo.issueLabels.get(i.number) ?? [] }));

export interface IssueChange {
  state?: 'open' | 'closed';
  title?: string;
}

/** A person closing, reopening or retitling an issue on github.com. */
export function editIssue(repo: FakeRepo, number: number, change: IssueChange): FakeIssue {
  const issue = repo.issues.find((i) => i.number === number);
  if (!issue) throw new Error(`github fake: no issue ${repo.owner}/${repo.name}#${number}`);
  const now = new Date().toISOString();
  if (change.title) issue.title = change.title;
  if (change.state && change.state !== issue.state) {
    issue.state = change.state;
    issue.closedAt = change.state === 'closed' ? now : null;
    issue.stateReason = change.state === 'closed' ? 'completed' : 'reopened';
  }
  issue.updatedAt = now;
  return issue;
}
