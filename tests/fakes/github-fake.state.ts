import { createHash, randomBytes } from 'node:crypto';

/**
 * In-memory model of the slice of a GitHub repository the postmortem flow touches: branches
 * pointing at commits, commits holding whole trees, pull requests, labels.
 */
export interface FakeBlob {
  sha: string;
  content: Buffer;
}

export interface FakeCommit {
  sha: string;
  parent?: string;
  message: string;
  tree: Map<string, FakeBlob>;
}

export interface FakePull {
  id: number;
  number: number;
  title: string;
  body: string | null;
  headOwner: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  branches: Map<string, string>;
  commits: Map<string, FakeCommit>;
  pulls: FakePull[];
  labels: Map<string, FakeLabel>;
  /** Issue/PR number → label names (PRs are issues for labels, as on GitHub). */
  issueLabels: Map<number, string[]>;
  nextNumber: number;
  /** Issues (not PRs); they share `nextNumber` with pull requests, as on GitHub. */
  issues: FakeIssue[];
  /** Logins an issue may be assigned to (the owner and the collaborators). */
  collaborators: Set<string>;
}

export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  assignees: string[];
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

let ids = 1000;
export const nextId = () => ++ids;

/** Git's blob id: sha1 of `blob <size>\0<content>`, so shas look and behave like GitHub's. */
export function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function commitSha(): string {
  return createHash('sha1').update(randomBytes(16)).digest('hex');
}

export function createRepo(owner: string, name: string, opts: { defaultBranch?: string; files?: Record<string, string>; private?: boolean } = {}): FakeRepo {
  const defaultBranch = opts.defaultBranch ?? 'main';
  const repo: FakeRepo = {
    id: nextId(),
    owner,
    name,
    defaultBranch,
    private: opts.private ?? false,
    branches: new Map(),
    commits: new Map(),
    pulls: [],
    labels: new Map(),
    issueLabels: new Map(),
    nextNumber: 1,
    issues: [],
    collaborators: new Set([owner]),
  };
  const tree = new Map<string, FakeBlob>();
  for (const [path, text] of Object.entries(opts.files ?? { 'README.md': `# ${name}\n` })) {
    const content = Buffer.from(text, 'utf8');
    tree.set(path, { sha: blobSha(content), content });
  }
  const root: FakeCommit = { sha: commitSha(), message: 'Initial commit', tree };
  repo.commits.set(root.sha, root);
  repo.branches.set(defaultBranch, root.sha);
  return repo;
}

export function headCommit(repo: FakeRepo, branch: string): FakeCommit | undefined {
  const sha = repo.branches.get(branch);
  return sha ? repo.commits.get(sha) : undefined;
}

/** A ref or a commit sha → the commit, like GitHub's `?ref=` (branch name, `heads/x`, or sha). */
export function resolveRef(repo: FakeRepo, ref: string | undefined): FakeCommit | undefined {
  const r = (ref ?? repo.defaultBranch).replace(/^refs\//, '').replace(/^heads\//, '');
  return headCommit(repo, r) ?? repo.commits.get(r);
}

/** Writes one file on a branch as a new commit. */
export function commitFile(repo: FakeRepo, branch: string, path: string, content: Buffer, message: string): { commit: FakeCommit; blob: FakeBlob } {
  const parent = headCommit(repo, branch);
  if (!parent) throw new Error(`no branch ${branch}`);
  const blob: FakeBlob = { sha: blobSha(content), content };
  const tree = new Map(parent.tree);
  tree.set(path, blob);
  const commit: FakeCommit = { sha: commitSha(), parent: parent.sha, message, tree };
  repo.commits.set(commit.sha, commit);
  repo.branches.set(branch, commit.sha);
  return { commit, blob };
}

/** Whether `head` has commits that `base` lacks (GitHub refuses a PR with none). */
export function hasCommitsAhead(repo: FakeRepo, head: string, base: string): boolean {
  const headSha = repo.branches.get(head);
  for (let c = headCommit(repo, base); c; c = c.parent ? repo.commits.get(c.parent) : undefined) {
    if (c.sha === headSha) return false;
  }
  return true;
}
