import type { AppDeps } from '../../app/deps';
import type { FollowUpTracker } from '../../app/followups.ports';
import type { FollowUpDeps } from '../../app/followups.service';
import type { Config } from '../../config';
import { createGitHubIssues } from './github-issues';

/** The workspace's follow-up tracker: GitHub Issues over `GITHUB_TOKEN` / `GITHUB_API_URL`. */
export const followUpTrackerOf = (config: Pick<Config, 'github'>): FollowUpTracker =>
  createGitHubIssues({ token: config.github.token, apiUrl: config.github.apiUrl });

/** What the follow-up services need, from the adapters' dependencies (Slack, HTTP, CLI alike). */
export const followUpDepsOf = (deps: Pick<AppDeps, 'db' | 'config' | 'now' | 'incidents'>): FollowUpDeps => ({
  db: deps.db,
  config: deps.config,
  now: deps.now,
  incidents: deps.incidents,
  tracker: followUpTrackerOf(deps.config),
});
