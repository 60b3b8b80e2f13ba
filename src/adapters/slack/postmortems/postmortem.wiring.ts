import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../../app/deps';
import { type PostmortemService, createPostmortemService, deterministicDrafter } from '../../../app/postmortem.service';
import { createGitHubPullRequests } from '../../github/github-pr';
import { DomainError } from '../../../shared/domain-error';
import type { PostmortemChatPorts } from '../../../app/postmortem.service';
import {
  type NameCache,
  appRedirect,
  slackFileUploads,
  slackIncidentLinks,
  slackUserDirectory,
} from './postmortem.ports';

// One name cache per running app (keyed by its deps), so two apps in one process never share names.
const nameCaches = new WeakMap<AppDeps, NameCache>();

/** The postmortem service for one Slack request: names, links and uploads go through that request's client. */
export function postmortemServiceFor(deps: AppDeps, client: WebClient): PostmortemService {
  return serviceWith(deps, slackChatPorts(deps, client));
}

/** The postmortem service for a caller outside Slack (the REST API): the org's chat ports, else offline ones. */
export async function postmortemServiceForOrg(deps: AppDeps, orgId: string): Promise<PostmortemService> {
  const ports = deps.postmortems?.chatPortsFor ? await deps.postmortems.chatPortsFor(orgId) : offlineChatPorts;
  return serviceWith(deps, ports);
}

/** Chat ports per workspace through its bot client (wired by server.ts once the Slack runtime exists). */
export const chatPortsFrom =
  (deps: AppDeps, clientFor: (orgId: string) => Promise<WebClient | undefined>) =>
  async (orgId: string): Promise<PostmortemChatPorts> => {
    const client = await clientFor(orgId).catch(() => undefined);
    return client ? slackChatPorts(deps, client) : offlineChatPorts;
  };

function slackChatPorts(deps: AppDeps, client: WebClient): PostmortemChatPorts {
  let names = nameCaches.get(deps);
  if (!names) nameCaches.set(deps, (names = new Map()));
  return { users: slackUserDirectory(client, names), links: slackIncidentLinks(client), uploads: slackFileUploads(client) };
}

/** No Slack (sandbox-less API use, or an uninstalled workspace): ids instead of names, redirect links. */
const offlineChatPorts: PostmortemChatPorts = {
  users: { names: async () => ({}) },
  links: {
    channel: appRedirect,
    link: async (orgId, inc) => (inc.channelId ? appRedirect(orgId, inc.channelId) : undefined),
  },
  uploads: {
    upload: async () => {
      throw new DomainError('unavailable', 'Slack is not connected for this workspace, so nothing can be uploaded.');
    },
  },
};

function serviceWith(deps: AppDeps, ports: PostmortemChatPorts): PostmortemService {
  const feature = deps.postmortems;
  return createPostmortemService({
    db: deps.db,
    incidents: deps.incidents,
    logger: deps.logger,
    now: deps.now,
    drafter: feature?.drafter ?? deterministicDrafter,
    pullRequests: feature?.pullRequests ?? createGitHubPullRequests(deps.config.github),
    privateRepository: deps.config.privacy?.githubRepository,
    ...ports,
  });
}
