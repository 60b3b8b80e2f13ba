import { type FakeRepo, commitFile, nextId, resolveRef, hasCommitsAhead } from './github-fake.state';
import { type Urls, commitJson, dirEntryJson, errorJson, fileJson, labelJson, pullJson, refJson, repoJson } from './github-fake.shapes';

export interface RouteCtx {
  repo: FakeRepo;
  /** Decoded captures of the route pattern. */
  params: string[];
  query: URLSearchParams;
  // Request bodies are whatever the client sent; each handler checks what it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  login: string;
  urls: Urls;
}

export interface Reply {
  status: number;
  body?: unknown;
}

/** Thrown by handlers; the server sends it as GitHub's error body. */
export class FakeGitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
  toBody() {
    return errorJson(this.status, this.message, { errors: this.errors });
  }
}

const fail = (status: number, message: string, errors?: unknown[]): never => {
  throw new FakeGitHubError(status, message, errors);
};
const notFound = () => fail(404, 'Not Found');
const validation = (resource: string, field: string | undefined, code: string, message?: string) =>
  fail(422, 'Validation Failed', [{ resource, ...(field ? { field } : {}), code, ...(message ? { message } : {}) }]);
const missing = (field: string) => fail(422, `Invalid request.\n\n"${field}" wasn't supplied.`);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function getRef({ repo, params, urls }: RouteCtx): Reply {
  const ref = params[0].replace(/^refs\//, '');
  if (!ref.startsWith('heads/')) return notFound();
  const branch = ref.slice('heads/'.length);
  const sha = repo.branches.get(branch);
  return sha ? { status: 200, body: refJson(repo, branch, sha, urls) } : notFound();
}

function createRef({ repo, body, urls }: RouteCtx): Reply {
  if (!isStr(body?.ref)) missing('ref');
  if (!isStr(body?.sha)) missing('sha');
  const ref: string = body.ref;
  if (!ref.startsWith('refs/') || ref.split('/').length < 3) fail(422, "Reference name must start with 'refs/' and have at least two slashes.");
  if (!ref.startsWith('refs/heads/')) fail(422, 'Only branch references are supported by this fake.');
  if (!repo.commits.has(body.sha)) fail(422, 'Object does not exist');
  const branch = ref.slice('refs/heads/'.length);
  if (repo.branches.has(branch)) fail(422, 'Reference already exists');
  repo.branches.set(branch, body.sha);
  return { status: 201, body: refJson(repo, branch, body.sha, urls) };
}

function getContents({ repo, params, query, urls }: RouteCtx): Reply {
  const path = params[0].replace(/^\/+|\/+$/g, '');
  const ref = query.get('ref') ?? repo.defaultBranch;
  const commit = resolveRef(repo, ref);
  if (!commit) return fail(404, `No commit found for the ref ${ref}`);
  const blob = commit.tree.get(path);
  if (blob) return { status: 200, body: fileJson(repo, path, ref, blob, urls) };
  // A directory: its direct children, as GitHub lists them.
  const prefix = path ? `${path}/` : '';
  const children = new Map<string, unknown>();
  for (const [p, b] of commit.tree) {
    if (!p.startsWith(prefix)) continue;
    const [head, ...rest] = p.slice(prefix.length).split('/');
    const childPath = `${prefix}${head}`;
    children.set(childPath, rest.length ? dirEntryJson(repo, childPath, ref, urls) : fileJson(repo, childPath, ref, b, urls, false));
  }
  return children.size ? { status: 200, body: [...children.values()] } : notFound();
}

function putContents({ repo, params, body, urls }: RouteCtx): Reply {
  const path = params[0].replace(/^\/+|\/+$/g, '');
  if (!isStr(body?.message)) missing('message');
  if (typeof body?.content !== 'string') missing('content');
  const content: string = body.content;
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(content)) fail(422, 'content is not valid Base64');
  const branch: string = isStr(body.branch) ? body.branch : repo.defaultBranch;
  const head = resolveRef(repo, branch);
  if (!head || !repo.branches.has(branch)) fail(404, `Branch ${branch} not found`);
  const existing = head?.tree.get(path);
  if (existing && !isStr(body.sha)) missing('sha');
  if (existing && body.sha !== existing.sha) fail(409, `${path} does not match ${body.sha}`);
  const { commit, blob } = commitFile(repo, branch, path, Buffer.from(content, 'base64'), body.message);
  return { status: existing ? 200 : 201, body: { content: fileJson(repo, path, branch, blob, urls, false), commit: commitJson(repo, commit, urls) } };
}

function parseHead(repo: FakeRepo, head: string): { owner: string; branch: string } {
  const i = head.indexOf(':');
  return i < 0 ? { owner: repo.owner, branch: head } : { owner: head.slice(0, i), branch: head.slice(i + 1) };
}

function createPull({ repo, body, login, urls }: RouteCtx): Reply {
  if (!isStr(body?.title)) validation('PullRequest', 'title', 'missing_field');
  if (!isStr(body?.head)) validation('PullRequest', 'head', 'missing_field');
  if (!isStr(body?.base)) validation('PullRequest', 'base', 'missing_field');
  const { owner, branch } = parseHead(repo, body.head);
  if (owner !== repo.owner || !repo.branches.has(branch)) validation('PullRequest', 'head', 'invalid');
  if (!repo.branches.has(body.base)) validation('PullRequest', 'base', 'invalid');
  if (repo.pulls.some((p) => p.state === 'open' && p.head === branch && p.base === body.base)) {
    validation('PullRequest', undefined, 'custom', `A pull request already exists for ${owner}:${branch}.`);
  }
  if (!hasCommitsAhead(repo, branch, body.base)) validation('PullRequest', undefined, 'custom', `No commits between ${body.base} and ${branch}`);
  const now = new Date().toISOString();
  const pull = {
    id: nextId(),
    number: repo.nextNumber++,
    title: body.title,
    body: typeof body.body === 'string' ? body.body : null,
    headOwner: owner,
    head: branch,
    base: body.base,
    state: 'open' as const,
    merged: false,
    draft: body.draft === true,
    user: login,
    createdAt: now,
    updatedAt: now,
  };
  repo.pulls.push(pull);
  return { status: 201, body: pullJson(repo, pull, urls) };
}

function listPulls({ repo, query, urls }: RouteCtx): Reply {
  const state = query.get('state') ?? 'open';
  const head = query.get('head');
  const base = query.get('base');
  // Like GitHub, `head` only filters in the `owner:branch` form; a bare branch name is ignored.
  const headFilter = head?.includes(':') ? parseHead(repo, head) : undefined;
  const pulls = repo.pulls.filter(
    (p) =>
      (state === 'all' || p.state === state) &&
      (!headFilter || (p.headOwner === headFilter.owner && p.head === headFilter.branch)) &&
      (!base || p.base === base),
  );
  return { status: 200, body: pulls.map((p) => pullJson(repo, p, urls)) };
}

function getPull({ repo, params, urls }: RouteCtx): Reply {
  const pull = repo.pulls.find((p) => p.number === Number(params[0]));
  return pull ? { status: 200, body: pullJson(repo, pull, urls) } : notFound();
}

function getLabel({ repo, params, urls }: RouteCtx): Reply {
  const label = repo.labels.get(params[0].toLowerCase());
  return label ? { status: 200, body: labelJson(repo, label, urls) } : notFound();
}

function addLabel(repo: FakeRepo, name: string, color = 'ededed', description: string | null = null) {
  const label = { id: nextId(), name, color, description };
  repo.labels.set(name.toLowerCase(), label);
  return label;
}

function createLabel({ repo, body, urls }: RouteCtx): Reply {
  if (!isStr(body?.name)) validation('Label', 'name', 'missing_field');
  const color = typeof body.color === 'string' ? body.color.replace(/^#/, '') : 'ededed';
  if (!/^[0-9a-fA-F]{6}$/.test(color)) validation('Label', 'color', 'invalid');
  if (repo.labels.has(body.name.toLowerCase())) validation('Label', 'name', 'already_exists');
  const label = addLabel(repo, body.name, color.toLowerCase(), typeof body.description === 'string' ? body.description : null);
  return { status: 201, body: labelJson(repo, label, urls) };
}

function addIssueLabels({ repo, params, body, urls }: RouteCtx): Reply {
  const number = Number(params[0]);
  if (!repo.pulls.some((p) => p.number === number) && !repo.issues.some((i) => i.number === number)) return notFound();
  const names: unknown = Array.isArray(body) ? body : body?.labels;
  if (!Array.isArray(names) || !names.every(isStr)) return validation('Label', 'labels', 'invalid');
  const current = repo.issueLabels.get(number) ?? [];
  for (const name of names as string[]) {
    // GitHub creates labels that do not exist yet when they are added to an issue.
    const label = repo.labels.get(name.toLowerCase()) ?? addLabel(repo, name);
    if (!current.some((c) => c.toLowerCase() === label.name.toLowerCase())) current.push(label.name);
  }
  repo.issueLabels.set(number, current);
  return issueLabels({ repo, params, body, urls } as RouteCtx);
}

function issueLabels({ repo, params, urls }: RouteCtx): Reply {
  const names = repo.issueLabels.get(Number(params[0])) ?? [];
  return { status: 200, body: names.map((n) => repo.labels.get(n.toLowerCase())).filter((l) => !!l).map((l) => labelJson(repo, l!, urls)) };
}

/** Routes under `/repos/:owner/:repo`; patterns match the rest of the raw (still encoded) path. */
export const REPO_ROUTES: Array<{ method: string; pattern: RegExp; write: boolean; handle: (ctx: RouteCtx) => Reply }> = [
  { method: 'GET', pattern: /^$/, write: false, handle: ({ repo, urls }) => ({ status: 200, body: repoJson(repo, urls) }) },
  { method: 'GET', pattern: /^\/git\/refs?\/(.+)$/, write: false, handle: getRef },
  { method: 'POST', pattern: /^\/git\/refs$/, write: true, handle: createRef },
  { method: 'GET', pattern: /^\/contents(?:\/(.*))?$/, write: false, handle: getContents },
  { method: 'PUT', pattern: /^\/contents\/(.+)$/, write: true, handle: putContents },
  { method: 'POST', pattern: /^\/pulls$/, write: true, handle: createPull },
  { method: 'GET', pattern: /^\/pulls$/, write: false, handle: listPulls },
  { method: 'GET', pattern: /^\/pulls\/(\d+)$/, write: false, handle: getPull },
  { method: 'GET', pattern: /^\/labels\/(.+)$/, write: false, handle: getLabel },
  { method: 'POST', pattern: /^\/labels$/, write: true, handle: createLabel },
  { method: 'GET', pattern: /^\/issues\/(\d+)\/labels$/, write: false, handle: issueLabels },
  { method: 'POST', pattern: /^\/issues\/(\d+)\/labels$/, write: true, handle: addIssueLabels },
];
