import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory } from '../../../app/incident-commands.service';

/** The PeopleDirectory port over Slack's users.info (a read; other failures propagate). */
export const slackPeople = (client: WebClient): PeopleDirectory => ({
  async status(userId) {
    try {
      const res = await client.users.info({ user: userId });
      return res.user?.deleted ? 'deactivated' : 'active';
    } catch (e) {
      if ((e as { data?: { error?: string } }).data?.error === 'user_not_found') return 'unknown';
      throw e;
    }
  },
});
