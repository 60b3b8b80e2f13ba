import type { WebClient } from '@slack/web-api';
import type { FileUploads, IncidentLinks, UserDirectory } from '../../../app/postmortem.service';
import type { UserNames } from '../../../postmortems/postmortem.timeline';

/** Slack's own redirect into a channel: works for everyone in the workspace, needs no API call. */
export const appRedirect = (orgId: string, channelId: string) =>
  `https://slack.com/app_redirect?channel=${channelId}&team=${orgId}`;

/** The pinned summary's permalink, else the channel redirect. */
export function slackIncidentLinks(client: WebClient): IncidentLinks {
  return {
    channel: appRedirect,
    async link(orgId, inc) {
      if (!inc.channelId) return undefined;
      if (inc.summaryTs) {
        try {
          const res = await client.chat.getPermalink({ channel: inc.channelId, message_ts: inc.summaryTs });
          if (res.permalink) return res.permalink;
        } catch {
          // A deleted summary or a missing scope only costs the nicer link.
        }
      }
      return appRedirect(orgId, inc.channelId);
    },
  };
}

// Names are cached: a postmortem names the same few people many times, and drafts are regenerated.
const NAME_TTL_MS = 60 * 60_000;
const NAME_CACHE_MAX = 5000;
export type NameCache = Map<string, { name: string; at: number }>;

/** Real names from `users.info`, 8 lookups at a time; unknown or deactivated users are left out. */
export function slackUserDirectory(client: WebClient, cache: NameCache, now: () => number = Date.now): UserDirectory {
  return {
    async names(orgId, ids) {
      const names: UserNames = {};
      const at = now();
      const lookup = async (id: string) => {
        const key = `${orgId}:${id}`;
        const hit = cache.get(key);
        if (hit && at - hit.at < NAME_TTL_MS) return void (names[id] = hit.name);
        try {
          const { user } = await client.users.info({ user: id });
          const name = user?.real_name || user?.profile?.real_name || user?.profile?.display_name || user?.name;
          if (!name) return;
          names[id] = name;
          if (cache.size >= NAME_CACHE_MAX) cache.delete(cache.keys().next().value as string);
          cache.set(key, { name, at });
        } catch {
          // Unknown or deactivated: the draft shows the id, which is still unambiguous.
        }
      };
      for (let i = 0; i < ids.length; i += 8) await Promise.all(ids.slice(i, i + 8).map(lookup));
      return names;
    },
  };
}

/** The draft as a Markdown file in the channel (`files.uploadV2`). */
export function slackFileUploads(client: WebClient): FileUploads {
  return {
    async upload(_orgId, f) {
      await client.filesUploadV2({
        channel_id: f.channelId,
        filename: f.filename,
        title: f.title,
        content: f.content,
        initial_comment: f.comment,
      });
    },
  };
}
