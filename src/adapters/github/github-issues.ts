import { Octokit } from '@octokit/rest';
import { type FollowUpTracker, type IssueState, TrackerError } from '../../app/followups.ports';
import type { IssueRef } from '../../incidents/followup.decider';
import { githubMessage, isHttpError, rateLimitRetryAt } from './github-pr.errors';
import { DEFAULT_GITHUB_API_URL, parseRepository } from './github-pr';

/** GitHub Issues as the follow-up tracker (src/app/followups.ports.ts), over the same token as postmortem PRs. */
export interface GitHubIssuesConfig {
  token?: string;
  apiUrl?: string;
  timeoutMs?: number;
}

/** GitHub refuses longer issue titles. */
const MAX_TITLE = 256;
const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;

function octokitFor(cfg: GitHubIssuesConfig): Octokit {
  if (!cfg.token?.trim()) {
    throw new TrackerError('not_configured', 'GitHub is not set up: an admin needs to set `GITHUB_TOKEN` (with Issues write access).');
  }
  const timeoutMs = cfg.timeoutMs ?? 15_000;
  return new Octokit({
    auth: cfg.token.trim(),
    baseUrl: (cfg.apiUrl?.trim() || DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: 'runbook-revenant',
    // No retry plugin: the outbox retries with its own backoff and GitHub's Retry-After.
    request: {
      retries: 0,
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/** Octokit's errors → tracker codes, with a message that names the repository and what to do. */
export function toTrackerError(e: unknown, repository: string): TrackerError {
  if (e instanceof TrackerError) return e;
  const status = (e as { status?: number })?.status;
  const gh = githubMessage(e);
  const retryAt = rateLimitRetryAt(e);
  if (retryAt) {
    const at = retryAt.toISOString();
    return new TrackerError('rate_limited', `GitHub's rate limit for this token is used up until about ${hhmm(at)}; the export is pending and will be retried.`, at);
  }
  if (status === 401) return new TrackerError('bad_credentials', 'GitHub rejected the token (401 Bad credentials): it was revoked or has expired. Ask an admin to renew `GITHUB_TOKEN`.');
  if (status === 403) return new TrackerError('forbidden', `The GitHub token may not create issues in ${repository}: it needs Issues write access (GitHub said: ${gh}).`);
  if (status === 404) {
    return new TrackerError('repo_not_found', `GitHub repository ${repository} was not found (deleted, renamed, or the token cannot see it). An admin can pick another with \`/incident followups repo owner/name\`.`);
  }
  if (status === 410) return new TrackerError('repo_not_found', `The issue in ${repository} was deleted or issues are turned off there (GitHub said: ${gh}).`);
  if (status === undefined || status === 0 || status >= 500) {
    return new TrackerError('unavailable', `GitHub could not be reached or had an error (${gh}); the export is pending and will be retried.`);
  }
  return new TrackerError('rejected', `GitHub refused the request (${status}: ${gh}).`);
}

function target(repository: string) {
  const t = parseRepository(repository);
  if (!t) throw new TrackerError('not_configured', `“${repository}” is not a GitHub repository; use owner/name.`);
  return t;
}

interface IssueData {
  number: number;
  html_url: string;
  state: string;
  body?: string | null;
  pull_request?: unknown;
  assignees?: Array<{ login: string }> | null;
}

const refOf = (repository: string, d: IssueData): IssueRef => ({ tracker: 'github', repository, number: d.number, url: d.html_url });
const assignRefused = (e: unknown) => isHttpError(e, 422, /assignee/i) || /assignee/i.test(JSON.stringify((e as { response?: { data?: unknown } })?.response?.data ?? ''));

/** The FollowUpTracker over GitHub Issues. Settings are read on each call: a missing token is explained then. */
export function createGitHubIssues(cfg: GitHubIssuesConfig): FollowUpTracker {
  const run = async <T>(repository: string, fn: (kit: Octokit, t: { owner: string; repo: string }) => Promise<T>): Promise<T> => {
    const t = target(repository);
    try {
      return await fn(octokitFor(cfg), t);
    } catch (e) {
      throw toTrackerError(e, `${t.owner}/${t.repo}`);
    }
  };
  return {
    id: 'github',
    name: 'GitHub',
    validateRepository: (repository) => (parseRepository(repository) ? null : `“${repository}” is not a GitHub repository; use owner/name, e.g. acme/ops.`),
    async checkAccess(repository) {
      await run(repository, async (kit, t) => {
        const { data } = await kit.repos.get(t);
        if (data.has_issues === false) throw new TrackerError('rejected', `Issues are turned off in ${repository}; turn them on in the repository's settings.`);
        if (data.archived) throw new TrackerError('rejected', `${repository} is archived; GitHub takes no new issues there.`);
      });
    },
    async createIssue(issue) {
      return run(issue.repository, async (kit, t) => {
        const title = issue.title.length > MAX_TITLE ? `${issue.title.slice(0, MAX_TITLE - 1)}…` : issue.title;
        const base = { ...t, title, body: issue.body, labels: issue.labels };
        let data: IssueData;
        try {
          ({ data } = await kit.issues.create({ ...base, ...(issue.assignees.length ? { assignees: issue.assignees } : {}) }));
        } catch (e) {
          // An owner mapped to a login that cannot be assigned here: the issue is still made, unassigned.
          if (!issue.assignees.length || !assignRefused(e)) throw e;
          ({ data } = await kit.issues.create(base));
        }
        return { ...refOf(issue.repository, data), assigned: (data.assignees ?? []).map((a) => a.login) };
      });
    },
    async findIssue(repository, marker) {
      return run(repository, async (kit, t) => {
        const { data } = await kit.issues.listForRepo({ ...t, state: 'all', labels: 'follow-up', sort: 'created', direction: 'desc', per_page: 100 });
        const hit = (data as IssueData[]).find((d) => !d.pull_request && (d.body ?? '').includes(marker));
        return hit ? { ...refOf(repository, hit), state: hit.state === 'closed' ? 'closed' : 'open' } : undefined;
      });
    },
    async setIssueState(ref, state: IssueState) {
      return run(ref.repository, async (kit, t) => {
        const { data } = await kit.issues.get({ ...t, issue_number: ref.number });
        if (data.state === state) return state;
        const reason = state === 'closed' ? 'completed' : 'reopened';
        const { data: after } = await kit.issues.update({ ...t, issue_number: ref.number, state, state_reason: reason });
        return after.state === 'closed' ? 'closed' : 'open';
      });
    },
  };
}
