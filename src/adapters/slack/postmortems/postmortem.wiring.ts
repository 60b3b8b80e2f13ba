import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../../app/deps';
import { type PostmortemService, createPostmortemService, deterministicDrafter } from '../../../app/postmortem.service';
import { createGitHubPullRequests } from '../../github/github-pr';
import { type NameCache, slackFileUploads, slackIncidentLinks, slackUserDirectory } from './postmortem.ports';

// One name cache per running app (keyed by its deps), so two apps in one process never share names.
const nameCaches = new WeakMap<AppDeps, NameCache>();

/** The postmortem service for one Slack request: names, links and uploads go through that request's client. */
export function postmortemServiceFor(deps: AppDeps, client: WebClient): PostmortemService {
  let names = nameCaches.get(deps);
  if (!names) nameCaches.set(deps, (names = new Map()));
  const feature = deps.postmortems;
  return createPostmortemService({
    db: deps.db,
    incidents: deps.incidents,
    logger: deps.logger,
    now: deps.now,
    drafter: feature?.drafter ?? deterministicDrafter,
    pullRequests: feature?.pullRequests ?? createGitHubPullRequests(deps.config.github),
    users: slackUserDirectory(client, names),
    links: slackIncidentLinks(client),
    uploads: slackFileUploads(client),
  });
}
