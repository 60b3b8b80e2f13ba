import type { FakeBlob, FakeCommit, FakeLabel, FakePull, FakeRepo } from './github-fake.state';

/**
 * GitHub REST v3 response bodies, trimmed to the fields clients read (Octokit passes data through;
 * our adapter reads `html_url`, `number`, `sha`, `content`, `default_branch`, `object.sha`).
 */
export interface Urls {
  /** API origin, e.g. `http://127.0.0.1:4567`. */
  api: string;
  /** Where `html_url` points; the fake serves a small page for pull requests there. */
  html: string;
}

const enc = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export const userJson = (login: string, u: Urls) => ({
  login,
  id: 1,
  node_id: 'MDQ6VXNlcjE=',
  type: 'User',
  site_admin: false,
  url: `${u.api}/users/${login}`,
  html_url: `${u.html}/${login}`,
});

export function repoJson(r: FakeRepo, u: Urls) {
  const full = `${r.owner}/${r.name}`;
  return {
    id: r.id,
    node_id: Buffer.from(`Repository:${r.id}`).toString('base64'),
    name: r.name,
    full_name: full,
    private: r.private,
    owner: userJson(r.owner, u),
    html_url: `${u.html}/${full}`,
    url: `${u.api}/repos/${full}`,
    default_branch: r.defaultBranch,
    visibility: r.private ? 'private' : 'public',
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}

export function refJson(r: FakeRepo, branch: string, sha: string, u: Urls) {
  const base = `${u.api}/repos/${r.owner}/${r.name}`;
  return {
    ref: `refs/heads/${branch}`,
    node_id: Buffer.from(`Ref:${branch}`).toString('base64'),
    url: `${base}/git/refs/heads/${enc(branch)}`,
    object: { sha, type: 'commit', url: `${base}/git/commits/${sha}` },
  };
}

function fileLinks(r: FakeRepo, path: string, ref: string, sha: string, u: Urls) {
  const base = `${u.api}/repos/${r.owner}/${r.name}`;
  const self = `${base}/contents/${enc(path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${base}/git/blobs/${sha}`;
  const html = `${u.html}/${r.owner}/${r.name}/blob/${enc(ref)}/${enc(path)}`;
  return { url: self, git_url: git, html_url: html, download_url: `${u.html}/raw/${r.owner}/${r.name}/${enc(ref)}/${enc(path)}`, _links: { self, git, html } };
}

/** GitHub wraps base64 at 60 characters per line, with a trailing newline. */
export const wrapBase64 = (content: Buffer) => `${content.toString('base64').replace(/(.{60})/g, '$1\n')}\n`;

export function fileJson(r: FakeRepo, path: string, ref: string, blob: FakeBlob, u: Urls, withContent = true) {
  return {
    type: 'file',
    ...(withContent ? { encoding: 'base64', content: wrapBase64(blob.content) } : {}),
    size: blob.content.length,
    name: path.split('/').pop() ?? path,
    path,
    sha: blob.sha,
    ...fileLinks(r, path, ref, blob.sha, u),
  };
}

export function dirEntryJson(r: FakeRepo, path: string, ref: string, u: Urls) {
  return { type: 'dir', size: 0, name: path.split('/').pop() ?? path, path, sha: '0'.repeat(40), ...fileLinks(r, path, ref, '0'.repeat(40), u) };
}

export function commitJson(r: FakeRepo, c: FakeCommit, u: Urls) {
  const base = `${u.api}/repos/${r.owner}/${r.name}`;
  const who = { name: 'Runbook Revenant', email: 'revenant@example.invalid', date: new Date().toISOString() };
  return {
    sha: c.sha,
    node_id: Buffer.from(`Commit:${c.sha}`).toString('base64'),
    url: `${base}/git/commits/${c.sha}`,
    html_url: `${u.html}/${r.owner}/${r.name}/commit/${c.sha}`,
    author: who,
    committer: who,
    message: c.message,
    tree: { sha: c.sha, url: `${base}/git/trees/${c.sha}` },
    parents: c.parent ? [{ sha: c.parent, url: `${base}/git/commits/${c.parent}`, html_url: `${u.html}/${r.owner}/${r.name}/commit/${c.parent}` }] : [],
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

export function labelJson(r: FakeRepo, l: FakeLabel, u: Urls) {
  return {
    id: l.id,
    node_id: Buffer.from(`Label:${l.id}`).toString('base64'),
    url: `${u.api}/repos/${r.owner}/${r.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: false,
    description: l.description,
  };
}

export function pullJson(r: FakeRepo, p: FakePull, u: Urls) {
  const base = `${u.api}/repos/${r.owner}/${r.name}`;
  const html = `${u.html}/${r.owner}/${r.name}/pull/${p.number}`;
  const side = (ref: string, owner: string) => ({
    label: `${owner}:${ref}`,
    ref,
    sha: r.branches.get(ref) ?? '0'.repeat(40),
    user: userJson(owner, u),
    repo: repoJson(r, u),
  });
  const labels = (r.issueLabels.get(p.number) ?? []).map((n) => r.labels.get(n.toLowerCase())).filter((l): l is FakeLabel => !!l);
  return {
    url: `${base}/pulls/${p.number}`,
    id: p.id,
    node_id: Buffer.from(`PullRequest:${p.id}`).toString('base64'),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${base}/issues/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    body: p.body,
    user: userJson(p.user, u),
    labels: labels.map((l) => labelJson(r, l, u)),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.state === 'closed' ? p.updatedAt : null,
    merged_at: p.merged ? p.updatedAt : null,
    draft: p.draft,
    merged: p.merged,
    mergeable: null,
    head: side(p.head, p.headOwner),
    base: side(p.base, r.owner),
  };
}

/** GitHub's error body: `message`, optional `errors`, `documentation_url`, and the status as text. */
export function errorJson(status: number, message: string, extra: { errors?: unknown[]; doc?: string } = {}) {
  return {
    message,
    ...(extra.errors ? { errors: extra.errors } : {}),
    documentation_url: extra.doc ?? 'https://docs.github.com/rest',
    status: String(status),
  };
}
