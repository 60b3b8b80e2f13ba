import type { IssueRef } from '../incidents/followup.decider';

/**
 * The issue tracker follow-ups are exported to. GitHub Issues is the one built
 * (src/adapters/github/github-issues.ts); a Jira or Linear adapter implements the same five calls and maps its
 * errors to `TrackerError` codes. What the application relies on:
 *
 * - `repository` is the tracker's project in its own notation (`owner/name` on GitHub, a project key on Jira);
 *   `validateRepository` says whether a string can be one, before anything is stored.
 * - `createIssue` is called at most once per follow-up and try, but a try can time out after the tracker
 *   created the issue: the body carries `marker`, and `findIssue(repository, marker)` must find such an issue,
 *   so a retry adopts it instead of creating a second one.
 * - `setIssueState` is idempotent (closing a closed issue is fine) and returns the issue's state afterwards.
 * - Inbound changes (closed, reopened, retitled) arrive on the tracker's webhook route, which verifies the
 *   tracker's signature and calls `applyTrackerChange` (followups.service.ts) with the issue's key.
 * - Errors: `TrackerError` with `transient` for outages and rate limits (the outbox retries, after `retryAt`
 *   when given), permanent otherwise (bad token, no such repository, refused): the export is given up with
 *   `message`, which is shown to people as it is (no token, no stack).
 */
export interface FollowUpTracker {
  /** Stable id stored on the follow-up (`github`), and its display name (`GitHub`). */
  readonly id: string;
  readonly name: string;
  validateRepository(repository: string): string | null;
  /** Can we create issues there? Throws TrackerError (permanent: not found, bad token; transient: outage). */
  checkAccess(repository: string): Promise<void>;
  createIssue(issue: NewIssue): Promise<IssueRef & { assigned: string[] }>;
  findIssue(repository: string, marker: string): Promise<(IssueRef & { state: IssueState }) | undefined>;
  setIssueState(ref: IssueRef, state: IssueState): Promise<IssueState>;
}

export type IssueState = 'open' | 'closed';

export interface NewIssue {
  repository: string;
  title: string;
  /** Markdown; ends with `marker` (an HTML comment on GitHub) so the issue can be found again. */
  body: string;
  marker: string;
  labels: string[];
  /** Tracker logins; an unknown or unassignable one is left out, not a failure. */
  assignees: string[];
}

export type TrackerErrorCode =
  | 'not_configured'
  | 'bad_credentials'
  | 'repo_not_found'
  | 'forbidden'
  | 'rate_limited'
  | 'unavailable'
  | 'rejected';

const TRANSIENT: ReadonlySet<TrackerErrorCode> = new Set(['rate_limited', 'unavailable']);

export class TrackerError extends Error {
  readonly transient: boolean;
  constructor(
    readonly code: TrackerErrorCode,
    /** Safe to show in Slack and the API. */
    message: string,
    /** When a rate limit lifts (ISO). */
    readonly retryAt?: string,
  ) {
    super(message);
    this.name = 'TrackerError';
    this.transient = TRANSIENT.has(code);
  }
}

export const isTrackerError = (e: unknown): e is TrackerError => e instanceof TrackerError;
