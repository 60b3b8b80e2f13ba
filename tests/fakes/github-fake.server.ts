import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGitHubError, REPO_ROUTES, type Reply } from './github-fake.routes';
import { errorJson } from './github-fake.shapes';
import { ACTIONS_ROUTES, type FakeDispatch, type FakeWorkflowInput, addWorkflow as addFakeWorkflow, dispatchesOf } from './github-fake.actions';
import { ISSUE_ROUTES, type IssueChange, editIssue, issuesWithLabels } from './github-fake.issues';
import { type FakeIssue, type FakeRepo, commitFile, createRepo, resolveRef } from './github-fake.state';

/**
 * A local GitHub REST API for the tests. The real Octokit talks to it through
 * `baseUrl`; it enforces what GitHub enforces for the postmortem flow (auth, refs, blob shas on
 * update, one open PR per head, labels) and records every call.
 */
export interface GitHubFakeCall {
  method: string;
  /** Decoded path, e.g. `/repos/acme/ops/git/ref/heads/main`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  auth?: 'token' | 'bearer';
  status: number;
}

export type FailKind = 'bad_credentials' | 'not_found' | 'unprocessable' | 'forbidden' | 'rate_limited' | 'secondary_rate_limited' | 'server_error';

export interface FailOptions {
  /** Only requests with this method and/or path (substring or pattern of the decoded path). */
  method?: string;
  path?: string | RegExp;
  message?: string;
  /** Epoch seconds for `x-ratelimit-reset` (`rate_limited`); default an hour from now. */
  resetAt?: number;
  /** Seconds for `retry-after` (`secondary_rate_limited`); default 60. */
  retryAfter?: number;
  times?: number;
}

interface FailRule extends FailOptions {
  kind: FailKind;
  left: number;
}

interface CallInfo {
  method: string;
  path: string;
  url: URL;
  body: unknown;
  auth?: 'token' | 'bearer';
}

interface TokenInfo {
  login: string;
  write: boolean;
}

const RATE_DOC = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
const LIMIT = 5000;

export class GitHubFake {
  readonly calls: GitHubFakeCall[] = [];
  private readonly repos = new Map<string, FakeRepo>();
  private readonly tokens = new Map<string, TokenInfo>();
  private failures: FailRule[] = [];
  private used = 0;
  private server?: Server;
  url = '';

  constructor(opts: { tokens?: string[] } = {}) {
    for (const t of opts.tokens ?? []) this.addToken(t);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  addToken(token: string, info: Partial<TokenInfo> = {}): this {
    this.tokens.set(token, { login: info.login ?? 'revenant-bot', write: info.write ?? true });
    return this;
  }

  addRepo(owner: string, name: string, opts: { defaultBranch?: string; files?: Record<string, string>; private?: boolean } = {}): this {
    this.repos.set(`${owner}/${name}`.toLowerCase(), createRepo(owner, name, opts));
    return this;
  }

  /** Someone else's branch (from the default branch), optionally with files committed on it. */
  seedBranch(owner: string, name: string, branch: string, files: Record<string, string> = {}): this {
    const repo = this.repo(owner, name);
    repo.branches.set(branch, repo.branches.get(repo.defaultBranch)!);
    for (const [path, text] of Object.entries(files)) commitFile(repo, branch, path, Buffer.from(text), `Add ${path}`);
    return this;
  }

  /** The next matching request (or `times` of them) fails as GitHub would. */
  failNext(kind: FailKind, opts: FailOptions = {}): this {
    this.failures.push({ ...opts, kind, left: opts.times ?? 1 });
    return this;
  }

  file(owner: string, name: string, path: string, ref?: string): string | undefined {
    return resolveRef(this.repo(owner, name), ref)?.tree.get(path)?.content.toString('utf8');
  }

  branches(owner: string, name: string): string[] {
    return [...this.repo(owner, name).branches.keys()];
  }

  pulls(owner: string, name: string) {
    const repo = this.repo(owner, name);
    return repo.pulls.map((p) => ({ ...p, labels: repo.issueLabels.get(p.number) ?? [] }));
  }

  labels(owner: string, name: string): string[] {
    return [...this.repo(owner, name).labels.values()].map((l) => l.name);
  }

  /** Merges or closes a PR, as a person would on github.com. */
  closePull(owner: string, name: string, number: number, merged = false): void {
    const pull = this.repo(owner, name).pulls.find((p) => p.number === number);
    if (pull) Object.assign(pull, { state: 'closed', merged, updatedAt: new Date().toISOString() });
  }

  /** Issues (follow-up exports), with label names; `editIssue` closes, reopens or retitles one as a person would. */
  issues = (owner: string, name: string) => issuesWithLabels(this.repo(owner, name));
  editIssue = (owner: string, name: string, n: number, change: IssueChange): FakeIssue => editIssue(this.repo(owner, name), n, change);
  /** Someone issues may be assigned to; `deleteRepo` → 404 from then on; `revokeToken` → 401 from then on. */
  addCollaborator = (owner: string, name: string, login: string) => this.repo(owner, name).collaborators.add(login) && this;
  deleteRepo = (owner: string, name: string) => void this.repos.delete(`${owner}/${name}`.toLowerCase());
  revokeToken = (token: string) => void this.tokens.delete(token);
  /** A workflow file (`rollback.yml`) with its `workflow_dispatch` inputs; `dispatches` lists what was dispatched. */
  addWorkflow = (owner: string, name: string, file: string, opts: { inputs?: Record<string, FakeWorkflowInput>; dispatchable?: boolean } = {}) =>
    addFakeWorkflow(this.repo(owner, name), file, opts) && this;
  dispatches = (owner: string, name: string): FakeDispatch[] => dispatchesOf(this.repo(owner, name));

  /** Deletes a branch, as a person would on github.com. */
  deleteBranch(owner: string, name: string, branch: string): void {
    this.repo(owner, name).branches.delete(branch);
  }

  private repo(owner: string, name: string): FakeRepo {
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) throw new Error(`github fake: no repo ${owner}/${name}`);
    return repo;
  }

  private rateHeaders(remaining = LIMIT - this.used, reset = Math.floor(Date.now() / 1000) + 3600): Record<string, string> {
    return {
      'x-ratelimit-limit': String(LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-used': String(Math.min(LIMIT, this.used)),
      'x-ratelimit-resource': 'core',
    };
  }

  private takeFailure(method: string, path: string): FailRule | undefined {
    const rule = this.failures.find(
      (f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))),
    );
    if (rule && --rule.left <= 0) this.failures = this.failures.filter((f) => f !== rule);
    return rule;
  }

  private failureReply(f: FailRule): { status: number; body: unknown; headers: Record<string, string> } {
    switch (f.kind) {
      case 'bad_credentials':
        return { status: 401, body: errorJson(401, f.message ?? 'Bad credentials'), headers: {} };
      case 'not_found':
        return { status: 404, body: errorJson(404, f.message ?? 'Not Found'), headers: {} };
      case 'unprocessable':
        return { status: 422, body: errorJson(422, f.message ?? 'Validation Failed'), headers: {} };
      case 'forbidden':
        return { status: 403, body: errorJson(403, f.message ?? 'Resource not accessible by personal access token'), headers: {} };
      case 'rate_limited': {
        const reset = f.resetAt ?? Math.floor(Date.now() / 1000) + 3600;
        const body = errorJson(403, f.message ?? 'API rate limit exceeded for user ID 1.', { doc: RATE_DOC });
        return { status: 403, body, headers: this.rateHeaders(0, reset) };
      }
      case 'secondary_rate_limited': {
        const body = errorJson(429, f.message ?? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', { doc: RATE_DOC });
        return { status: 429, body, headers: { 'retry-after': String(f.retryAfter ?? 60) } };
      }
      case 'server_error':
        return { status: 502, body: errorJson(502, f.message ?? 'Server Error'), headers: {} };
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = safeDecode(url.pathname);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.send(res, { method, path, url, body: raw }, 400, errorJson(400, 'Problems parsing JSON'));
    }
    const auth = /^(token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const call: CallInfo = { method, path, url, body, auth: auth ? (auth[1].toLowerCase() as 'token' | 'bearer') : undefined };

    const failure = this.takeFailure(method, path);
    if (failure) {
      const r = this.failureReply(failure);
      return this.send(res, call, r.status, r.body, r.headers);
    }
    const pullPage = /^\/([^/]+)\/([^/]+)\/pull\/(\d+)$/.exec(path);
    if (method === 'GET' && pullPage) return this.pullPage(res, call, pullPage);
    if (!auth) return this.send(res, call, 401, errorJson(401, 'Requires authentication'));
    const token = this.tokens.get(auth[2].trim());
    if (!token) return this.send(res, call, 401, errorJson(401, 'Bad credentials'));
    this.used++;

    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const repo = m ? this.repos.get(`${safeDecode(m[1])}/${safeDecode(m[2])}`.toLowerCase()) : undefined;
    if (!m || !repo) return this.send(res, call, 404, errorJson(404, 'Not Found'));
    const rest = m[3] ?? '';
    for (const route of [...REPO_ROUTES, ...ISSUE_ROUTES, ...ACTIONS_ROUTES]) {
      const hit = route.method === method ? route.pattern.exec(rest) : null;
      if (!hit) continue;
      if (route.write && !token.write) return this.send(res, call, 403, errorJson(403, 'Resource not accessible by personal access token'));
      let reply: Reply;
      try {
        const params = hit.slice(1).map((p) => safeDecode(p ?? ''));
        reply = route.handle({ repo, params, query: url.searchParams, body, login: token.login, urls: { api: this.url, html: this.url } });
      } catch (e) {
        if (e instanceof FakeGitHubError) return this.send(res, call, e.status, e.toBody());
        return this.send(res, call, 500, errorJson(500, e instanceof Error ? e.message : String(e)));
      }
      return this.send(res, call, reply.status, reply.body);
    }
    return this.send(res, call, 404, errorJson(404, 'Not Found'));
  }

  /** The `html_url` of a PR: enough of a page for a person clicking through from Slack. */
  private pullPage(res: ServerResponse, call: CallInfo, m: RegExpExecArray) {
    const repo = this.repos.get(`${m[1]}/${m[2]}`.toLowerCase());
    const pull = repo?.pulls.find((p) => p.number === Number(m[3]));
    if (!repo || !pull) return this.send(res, call, 404, errorJson(404, 'Not Found'));
    const files = [...(resolveRef(repo, pull.head)?.tree ?? new Map())].filter(([p]) => p.startsWith('postmortems/'));
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const html = `<!doctype html><meta charset="utf-8"><title>${esc(pull.title)}</title><h1>#${pull.number} ${esc(pull.title)}</h1><p>${esc(pull.state)} · ${esc(pull.head)} → ${esc(pull.base)}</p>${files
      .map(([p, b]) => `<h2>${esc(p)}</h2><pre>${esc(b.content.toString('utf8'))}</pre>`)
      .join('')}`;
    this.calls.push({ method: call.method, path: call.path, query: {}, body: undefined, auth: call.auth, status: 200 });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  }

  private send(
    res: ServerResponse,
    call: CallInfo,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.calls.push({ method: call.method, path: call.path, query: Object.fromEntries(call.url.searchParams), body: call.body, auth: call.auth, status });
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `FAKE:${this.calls.length}`,
      ...this.rateHeaders(),
      ...headers,
    });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a fake with one token and one repository, the usual test setup. */
export async function startGitHubFake(opts: { token?: string; owner?: string; repo?: string; files?: Record<string, string> } = {}): Promise<GitHubFake> {
  const fake = new GitHubFake({ tokens: [opts.token ?? 'ghp_fake_token'] });
  fake.addRepo(opts.owner ?? 'acme', opts.repo ?? 'incidents', { files: opts.files });
  await fake.start();
  return fake;
}
