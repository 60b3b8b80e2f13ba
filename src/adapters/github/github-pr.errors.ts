/** Every way opening a postmortem PR can fail, each with a message fit for Slack. */
export type GitHubPrErrorCode =
  | 'not_configured'
  | 'bad_credentials'
  | 'repo_not_found'
  | 'forbidden'
  | 'branch_exists'
  | 'rate_limited'
  | 'unavailable'
  | 'github_error';

export class GitHubPrError extends Error {
  constructor(
    readonly code: GitHubPrErrorCode,
    /** Human reason, safe to show in Slack (no token, no stack). */
    message: string,
    readonly details: { status?: number; retryAt?: string; githubMessage?: string } = {},
  ) {
    super(message);
    this.name = 'GitHubPrError';
  }
}

export const isGitHubPrError = (e: unknown): e is GitHubPrError => e instanceof GitHubPrError;

interface HttpErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

const header = (e: HttpErrorLike, name: string) => {
  const v = e.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
};

/** GitHub's own `message` from the error body, without Octokit's appended documentation URL. */
export function githubMessage(e: unknown): string {
  const data = (e as HttpErrorLike)?.response?.data as { message?: unknown; errors?: Array<{ message?: string; code?: string }> } | undefined;
  const first = data?.errors?.find((x) => x.message)?.message;
  if (first) return first;
  if (typeof data?.message === 'string') return data.message;
  return e instanceof Error ? e.message : String(e);
}

export const isHttpError = (e: unknown, status: number, pattern?: RegExp): boolean => {
  const err = e as HttpErrorLike;
  return err?.status === status && (!pattern || pattern.test(githubMessage(e)) || pattern.test(err.message ?? ''));
};

const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

/** When GitHub says we may try again: `x-ratelimit-reset` (epoch s) or `retry-after` (s); undefined when not rate limited. */
export function rateLimitRetryAt(e: unknown, now = Date.now()): Date | undefined {
  const err = e as HttpErrorLike;
  if (err?.status !== 403 && err?.status !== 429) return undefined;
  const retryAfter = header(err, 'retry-after');
  if (retryAfter && Number.isFinite(Number(retryAfter))) return new Date(now + Number(retryAfter) * 1000);
  if (header(err, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(err, 'x-ratelimit-reset'));
    return new Date(Number.isFinite(reset) && reset > 0 ? reset * 1000 : now + 60_000);
  }
  // A 429 without headers is still a rate limit; GitHub asks for at least a minute.
  return err.status === 429 ? new Date(now + 60_000) : undefined;
}

/** Octokit's errors → our codes. `where` names the repository (and branch) for the message. */
export function toGitHubPrError(e: unknown, where: { owner: string; repo: string; branch?: string }): GitHubPrError {
  if (e instanceof GitHubPrError) return e;
  const err = e as HttpErrorLike;
  const status = typeof err?.status === 'number' ? err.status : undefined;
  const gh = githubMessage(e);
  const repo = `${where.owner}/${where.repo}`;
  const retryAt = rateLimitRetryAt(e);
  if (retryAt) {
    const mins = Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 60_000));
    return new GitHubPrError('rate_limited', `GitHub's API rate limit for this token is used up. Try again after ${hhmm(retryAt)} (about ${mins} min).`, {
      status,
      retryAt: retryAt.toISOString(),
      githubMessage: gh,
    });
  }
  switch (status) {
    case 401:
      return new GitHubPrError('bad_credentials', 'GitHub rejected the token (401 Bad credentials). Ask an admin to check `GITHUB_TOKEN`.', { status, githubMessage: gh });
    case 403:
      return new GitHubPrError(
        'forbidden',
        `The GitHub token may not write to ${repo}: it needs Contents, Pull requests and Issues write access (GitHub said: ${gh}).`,
        { status, githubMessage: gh },
      );
    case 404:
      return new GitHubPrError('repo_not_found', `GitHub repository ${repo} was not found, or the token cannot see it. Check \`GITHUB_REPOSITORY\` and the token's repository access.`, {
        status,
        githubMessage: gh,
      });
    default:
      break;
  }
  if (status === undefined || status >= 500 || status === 0) {
    return new GitHubPrError('unavailable', `GitHub could not be reached or had an error (${gh}). Try again in a few minutes.`, { status, githubMessage: gh });
  }
  return new GitHubPrError('github_error', `GitHub refused the request (${status}: ${gh}).`, { status, githubMessage: gh });
}
