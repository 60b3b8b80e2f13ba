import type { WebClient } from '@slack/web-api';
import { type CatalogService, serviceOwners } from '../../../app/catalog.service';
import { slackErrorCode } from '../slack-errors';
import { repeatable } from '../slack-idempotent';

/** Errors that retrying cannot fix (a bad id in the catalog, a missing scope): the channel opens without them. */
const PERMANENT = new Set([
  'no_such_subteam',
  'missing_scope',
  'not_allowed_token_type',
  'plan_upgrade_required',
  'invalid_arguments',
]);
const MAX_OWNERS = 200;

/**
 * Slack user ids of the catalog owner of the incident's service: its `revenant/slack-usergroup` expanded with
 * usergroups.users.list, plus Slack ids listed as the owner Group's members. Transient Slack errors throw (the
 * channel opening is retried); a permanent one is reported through `onProblem` and yields who could be found.
 */
export async function ownerInvitees(
  catalog: CatalogService | undefined,
  client: WebClient,
  service: string | null | undefined,
  onProblem: (message: string) => void,
): Promise<string[]> {
  const owners = serviceOwners(catalog, service);
  if (!owners) return [];
  const ids = [...owners.userIds];
  if (owners.usergroup) {
    try {
      const res = await repeatable(() => client.usergroups.users.list({ usergroup: owners.usergroup! }));
      ids.push(...(res.users ?? []));
    } catch (e) {
      const code = slackErrorCode(e);
      if (!code || !PERMANENT.has(code)) throw e;
      onProblem(`user group ${owners.usergroup} of ${owners.owner ?? owners.service}: ${code}`);
    }
  }
  return [...new Set(ids)].slice(0, MAX_OWNERS);
}

/** Invite owners; a stale id in a group (left, deactivated) only drops that person, not the others. */
export async function inviteOwners(
  invite: (users: string[]) => Promise<void>,
  ids: readonly string[],
  onProblem: (message: string) => void,
): Promise<void> {
  if (ids.length === 0) return;
  try {
    await invite([...ids]);
  } catch (e) {
    const code = slackErrorCode(e);
    if (code !== 'user_not_found' && code !== 'user_is_deactivated' && code !== 'user_is_restricted') throw e;
    for (const id of ids) {
      await invite([id]).catch((err) => {
        const c = slackErrorCode(err);
        if (c !== 'user_not_found' && c !== 'user_is_deactivated' && c !== 'user_is_restricted') throw err;
        onProblem(`could not invite owner ${id}: ${c}`);
      });
    }
  }
}
