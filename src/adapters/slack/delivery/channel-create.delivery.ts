import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { incidentChannelName } from '../../../incidents/channel-name';
import { untrustedMrkdwn } from '../../../shared/text';
import type { IncidentRow } from '../../db/schema';
import type { DeliveredEffect } from '../../outbox/effect-registry';
import { classifySlackError, slackErrorCode } from '../slack-errors';
import { channelProblemText } from './channel-problem.text';
import type { WorkspaceLookups } from './workspace-lookups';

/** Suffixed names tried before the fallbacks (`inc-22-db-down`, `inc-22-db-down-2` … `-10`). */
const SUFFIXED_NAMES = 10;

/**
 * Names to try, in order: the titled name and its numbered variants, then `inc-<n>` alone (the title
 * may be what Slack refuses), then `inc-<n>-<code>` with a code derived from the incident id: as good
 * as random against squatters, yet the same on a retry, so an uncertain earlier create is found again.
 */
export function channelNameCandidates(prefix: string, number: number, title: string, incidentId: string): string[] {
  const names = Array.from({ length: SUFFIXED_NAMES }, (_, i) => incidentChannelName(prefix, number, title, i));
  const bare = incidentChannelName(prefix, number, '');
  const code = createHash('sha256').update(incidentId).digest('hex').slice(0, 6);
  return [...new Set([...names, bare, `${bare}-${code}`])];
}

/** Refusals that a different name may get past. */
const NAME_REFUSED = /^(name_taken|invalid_name.*)$/;

type Opened = { channelId: string; channelName: string } | { problem: string; tried: string[] };

export async function createChannel(
  lookups: WorkspaceLookups,
  client: WebClient,
  e: Pick<DeliveredEffect<'incident.open_channel'>, 'attempts' | 'orgId'>,
  inc: IncidentRow,
  prefix: string,
  /** Private incidents: a private channel, `<PRIVATE_CHANNEL_PREFIX>-<n>`, the title never in its name. */
  opts: { private?: boolean } = {},
): Promise<Opened> {
  // After a try whose outcome we never learned, a taken name may be our own channel.
  let uncertain = e.attempts > 1;
  const tried: string[] = [];
  let problem = 'name_taken';
  for (const name of channelNameCandidates(prefix, inc.number, opts.private ? '' : inc.title, inc.id)) {
    tried.push(name);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await client.conversations.create({ name, ...(opts.private ? { is_private: true } : {}) });
        if (res.channel?.id) return { channelId: res.channel.id, channelName: name };
        break;
      } catch (err) {
        const code = slackErrorCode(err) ?? '';
        if (code === 'name_taken') {
          const own = uncertain ? await lookups.ownChannelNamed(client, e.orgId, inc.id, name) : undefined;
          if (own) return { channelId: own, channelName: name };
        }
        if (NAME_REFUSED.test(code)) {
          problem = code;
          break; // someone else's channel has the name, or Slack dislikes it: try the next one
        }
        // Refused for a reason no name changes (restricted_action, missing_scope…): stop here.
        if (classifySlackError(err).kind === 'platform') return { problem: code || 'refused', tried };
        // A channel name is unique, so trying again at once cannot make a second one.
        if (attempt >= 3) throw err;
        uncertain = true;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
  return { problem, tried };
}

/** The people of an incident with no channel hear it from us, not from a log line. */
export async function tellNoChannel(
  client: WebClient,
  inc: IncidentRow,
  users: string[],
  reason: string,
  tried: string[],
) {
  const text =
    `:warning: INC-${inc.number} (${inc.severity}) “${untrustedMrkdwn(inc.title)}” is declared and recorded, but I could not open its channel: ` +
    `${channelProblemText(reason)} (\`${reason}\`; tried ${tried
      .map((n) => `#${n}`)
      .slice(-3)
      .join(', ')}). ` +
    'Create a channel by hand and track the incident there; App Home lists it as having no channel.';
  for (const user of users.filter((u) => /^[UW][A-Z0-9]+$/.test(u))) {
    // Best effort: a workspace that refuses channels may refuse DMs too, and the problem is recorded anyway.
    await client.chat.postMessage({ channel: user, text }).catch(() => undefined);
  }
}
