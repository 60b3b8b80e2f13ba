import { Octokit } from '@octokit/rest';
import { readPostmortemMarker } from '../../postmortems/postmortem.markdown';
import { GitHubPrError, isHttpError, toGitHubPrError } from './github-pr.errors';

export { GitHubPrError, isGitHubPrError, type GitHubPrErrorCode } from './github-pr.errors';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
export const POSTMORTEM_LABELS = [
  { name: 'postmortem', color: '5319e7', description: 'Incident postmortem' },
  { name: 'incident', color: 'd93f0b', description: 'Related to a production incident' },
] as const;

export interface GitHubConfig {
  token?: string;
  /** `owner/repo` (a `https://github.com/owner/repo` URL is accepted too). */
  repository?: string;
  apiUrl?: string;
  /** Per request; a hung GitHub must not hold the Slack button forever. */
  timeoutMs?: number;
}

export interface GitHubTarget {
  octokit: Octokit;
  owner: string;
  repo: string;
}

export function parseRepository(repository: string | undefined): { owner: string; repo: string } | null {
  const m = /^(?:https?:\/\/[^/]+\/)?([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec((repository ?? '').trim());
  return m ? { owner: m[1], repo: m[2] } : null;
}

/** The Octokit for postmortem PRs; throws `not_configured` without a token or repository. */
export function createGitHubTarget(cfg: GitHubConfig): GitHubTarget {
  const target = parseRepository(cfg.repository);
  if (!cfg.token?.trim() || !target) {
    const missing = [!cfg.token?.trim() && '`GITHUB_TOKEN`', !target && '`GITHUB_REPOSITORY` (owner/repo)'].filter(Boolean).join(' and ');
    throw new GitHubPrError('not_configured', `Postmortem pull requests are not set up: an admin needs to set ${missing}. You can still download the draft.`);
  }
  const timeoutMs = cfg.timeoutMs ?? 15_000;
  const octokit = new Octokit({
    auth: cfg.token.trim(),
    baseUrl: (cfg.apiUrl?.trim() || DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: 'runbook-revenant',
    // No retry or throttling plugin: a failure goes back to the person who pressed the button.
    request: {
      retries: 0,
      fetch: (url: string | URL | Request, init?: RequestInit) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return { octokit, ...target };
}

export interface PostmortemPrInput {
  owner: string;
  repo: string;
  /** Incident number (INC-<number>). */
  number: number;
  /** Incident title. */
  title: string;
  incidentUrl?: string;
  markdown: string;
  path: string;
  branch: string;
  /**
   * Blob sha we wrote last time (from `postmortem_prs.content_sha`). When the file on the branch
   * has another sha, people edited it on GitHub, and a regenerated draft must not overwrite them.
   */
  lastWrittenSha?: string;
}

export interface PostmortemPrResult {
  number: number;
  url: string;
  /** A new pull request was opened. */
  created: boolean;
  /** The file on an existing branch/PR was replaced by a changed draft. */
  updated: boolean;
  /** The file was edited on GitHub since we wrote it, so the new draft was not written. */
  keptGitHubEdits: boolean;
  branch: string;
  path: string;
  contentSha?: string;
}

type Kit = Octokit;
interface Pull {
  number: number;
  html_url: string;
  labels: Array<{ name?: string } | string>;
}

async function findOpenPull(kit: Kit, owner: string, repo: string, branch: string): Promise<Pull | undefined> {
  const { data } = await kit.pulls.list({ owner, repo, head: `${owner}:${branch}`, state: 'open', per_page: 10 });
  return data[0];
}

async function readFile(kit: Kit, owner: string, repo: string, path: string, ref: string): Promise<{ sha: string; text: string } | undefined> {
  try {
    const { data } = await kit.repos.getContent({ owner, repo, path, ref });
    if (Array.isArray(data) || data.type !== 'file') return undefined;
    const text = 'content' in data && typeof data.content === 'string' ? Buffer.from(data.content, 'base64').toString('utf8') : '';
    return { sha: data.sha, text };
  } catch (e) {
    if (isHttpError(e, 404)) return undefined;
    throw e;
  }
}

async function ensureLabels(kit: Kit, owner: string, repo: string, pull: Pull): Promise<void> {
  const have = new Set(pull.labels.map((l) => (typeof l === 'string' ? l : l.name ?? '').toLowerCase()));
  const missing = POSTMORTEM_LABELS.filter((l) => !have.has(l.name));
  if (!missing.length) return;
  for (const label of missing) {
    try {
      await kit.issues.getLabel({ owner, repo, name: label.name });
    } catch (e) {
      if (!isHttpError(e, 404)) throw e;
      try {
        await kit.issues.createLabel({ owner, repo, ...label });
      } catch (err) {
        // Someone (or a concurrent press) created it in between: fine.
        if (!isHttpError(err, 422, /already_exists|already exists/)) throw err;
      }
    }
  }
  await kit.issues.addLabels({ owner, repo, issue_number: pull.number, labels: missing.map((l) => l.name) });
}

function prBody(input: PostmortemPrInput): string {
  return [
    `Blameless postmortem draft for **INC-${input.number}: ${input.title}**, generated by Runbook Revenant.`,
    '',
    input.incidentUrl ? `- Incident: ${input.incidentUrl}` : `- Incident: INC-${input.number}`,
    `- File: \`${input.path}\``,
    '',
    'Please review it with the responders, fill in the _To fill in_ prompts, and merge when the team agrees.',
  ].join('\n');
}

/**
 * Opens (or finds) the postmortem PR: branch from the default branch, the Markdown file, the PR,
 * labels. Idempotent: pressing twice returns the same PR and only rewrites a changed draft.
 */
export async function openPostmortemPr(octokit: Octokit, input: PostmortemPrInput): Promise<PostmortemPrResult> {
  const { owner, repo, branch, path, markdown } = input;
  try {
    const { data: repoData } = await octokit.repos.get({ owner, repo });
    const base = repoData.default_branch;
    const { data: baseRef } = await octokit.git.getRef({ owner, repo, ref: `heads/${base}` });
    const baseSha = baseRef.object.sha;

    let branchIsNew = true;
    try {
      await octokit.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: baseSha });
    } catch (e) {
      if (!isHttpError(e, 422, /reference already exists/i)) throw e;
      branchIsNew = false;
    }

    let pull = branchIsNew ? undefined : await findOpenPull(octokit, owner, repo, branch);
    const existing = await readFile(octokit, owner, repo, path, branch);
    if (!branchIsNew && !(await branchIsOurs(octokit, input, { pull, existing, baseSha }))) {
      throw new GitHubPrError(
        'branch_exists',
        `Branch \`${branch}\` already exists in ${owner}/${repo} and does not hold this incident's postmortem. Rename or delete that branch, then press Create PR again.`,
      );
    }

    let updated = false;
    let keptGitHubEdits = false;
    let contentSha = existing?.sha;
    if (existing?.text !== markdown) {
      if (existing && input.lastWrittenSha && existing.sha !== input.lastWrittenSha) keptGitHubEdits = true;
      else {
        const { data } = await octokit.repos.createOrUpdateFileContents({
          owner,
          repo,
          path,
          branch,
          message: `${existing ? 'Update' : 'Add'} postmortem for INC-${input.number}`,
          content: Buffer.from(markdown, 'utf8').toString('base64'),
          ...(existing ? { sha: existing.sha } : {}),
        });
        contentSha = data.content?.sha ?? contentSha;
        updated = !!existing;
      }
    }

    let created = false;
    if (!pull) {
      try {
        const { data } = await octokit.pulls.create({ owner, repo, head: branch, base, title: `Postmortem: INC-${input.number} — ${input.title}`, body: prBody(input) });
        pull = data;
        created = true;
      } catch (e) {
        if (isHttpError(e, 422, /no commits between/i)) {
          throw new GitHubPrError('github_error', `This postmortem is already on \`${base}\` in ${owner}/${repo} with the same text; there is nothing new to propose.`, { status: 422 });
        }
        if (!isHttpError(e, 422, /pull request already exists/i)) throw e;
        pull = await findOpenPull(octokit, owner, repo, branch);
        if (!pull) throw e;
      }
    }
    await ensureLabels(octokit, owner, repo, pull);
    return { number: pull.number, url: pull.html_url, created, updated, keptGitHubEdits, branch, path, contentSha };
  } catch (e) {
    throw toGitHubPrError(e, { owner, repo, branch });
  }
}

/**
 * A branch we did not just create is ours when its file carries this incident's marker, or an
 * open PR comes from it, or it is still an empty copy of the default branch (a press that failed
 * half-way). A file marked for another incident is never ours.
 */
async function branchIsOurs(
  kit: Kit,
  input: PostmortemPrInput,
  seen: { pull?: Pull; existing?: { text: string }; baseSha: string },
): Promise<boolean> {
  const ourId = readPostmortemMarker(input.markdown);
  const theirId = seen.existing ? readPostmortemMarker(seen.existing.text) : null;
  if (theirId) return theirId === ourId;
  if (seen.pull) return true;
  if (seen.existing) return false;
  const { data } = await kit.git.getRef({ owner: input.owner, repo: input.repo, ref: `heads/${input.branch}` });
  return data.object.sha === seen.baseSha;
}
