import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { DomainError } from '../../shared/domain-error';
import { atLeast } from '../../shared/roles';
import { digestActionPattern } from '../../watchlist/digest.blocks';
import { decodeEntryRef, type EntryRef } from '../../watchlist/digest.types';
import { clearWatchEntry, findWatchEntry } from '../db/digest.repo';
import { roleOf } from '../db/incident.queries';
import { IDS } from './ids';
import { declareModal } from './incident.blocks';
import { errorText } from './slack-reply';
import { truncate } from './summary.blocks';

type Respond = (msg: { text: string; response_type?: 'ephemeral'; replace_original?: boolean }) => Promise<unknown>;

/** An ephemeral answer to whoever pressed; falls back to chat.postEphemeral when there is no response_url. */
export async function tell(respond: Respond | undefined, client: App['client'], where: { channel?: string; user: string }, text: string) {
  try {
    if (!respond) throw new Error('no response_url');
    await respond({ text, response_type: 'ephemeral', replace_original: false });
  } catch {
    if (where.channel) await client.chat.postEphemeral({ channel: where.channel, user: where.user, text }).catch(() => undefined);
  }
}

/** Which entry a button is about; the workspace always comes from Slack's signed envelope. */
function entryOf(value: string | undefined): EntryRef {
  const ref = decodeEntryRef(value);
  if (!ref) throw new DomainError('invalid_input', 'That button does not point at a watchlist entry.');
  return ref;
}

/** The declare form, filled in from a watchlist entry. */
export function declareFromEntry(entry: { service: string; environment: string; status: string; risk_score: number; title: string; logs: string; first_detected_at: string }, channelId: string) {
  let logs: Array<{ level?: string; message?: string; timestamp?: string }> = [];
  try {
    logs = JSON.parse(entry.logs);
  } catch {
    /* no log lines */
  }
  const lines = logs.slice(0, 5).map((l) => `${l.timestamp ?? ''} ${(l.level ?? '').toUpperCase()} ${l.message ?? ''}`.trim());
  const description = [
    `From the watchlist: ${entry.service} (${entry.environment}) ${entry.status === 'BREACHED' ? 'breached' : 'at risk'}, risk ${entry.risk_score.toFixed(2)}, since ${entry.first_detected_at}.`,
    ...(lines.length ? ['Latest logs:', ...lines] : []),
  ].join('\n');
  return declareModal({
    channelId,
    title: truncate(entry.title, 150),
    severity: entry.status === 'BREACHED' ? 'SEV2' : 'SEV3',
    service: truncate(entry.service, 150),
    description: truncate(description, 2900),
  });
}

export function registerDigestActions(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(digestActionPattern(IDS.watchDeclare), async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? body.team?.id ?? '';
    const where = { channel: body.channel?.id, user: body.user.id };
    try {
      const role = await roleOf(deps.db, orgId, body.user.id, deps.config.adminUserIds);
      if (!atLeast(role, 'responder')) throw new DomainError('forbidden', `Declaring an incident needs the responder role; you are a ${role.replace('_', ' ')}.`);
      const ref = entryOf(action.value);
      const entry = await findWatchEntry(deps.db, orgId, ref.service, ref.environment);
      if (!entry || entry.status === 'CLEARED') throw new DomainError('not_found', `${ref.service} (${ref.environment}) is no longer on the watchlist.`);
      // The existing declare form and its submission handler do the rest.
      await client.views.open({ trigger_id: body.trigger_id, view: declareFromEntry(entry, body.channel?.id ?? '') as never });
    } catch (e) {
      await tell(respond as Respond, client, where, errorText(e, deps.logger, 'Declare incident'));
    }
  });

  app.action<BlockAction<ButtonAction>>(digestActionPattern(IDS.watchClear), async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? body.team?.id ?? '';
    const where = { channel: body.channel?.id, user: body.user.id };
    try {
      const role = await roleOf(deps.db, orgId, body.user.id, deps.config.adminUserIds);
      if (!atLeast(role, 'sre_lead')) throw new DomainError('forbidden', `Only an admin or an SRE lead can clear watchlist entries; you are a ${role.replace('_', ' ')}.`);
      const ref = entryOf(action.value);
      const res = await clearWatchEntry(deps.db, { orgId, service: ref.service, environment: ref.environment, actor: body.user.id, now: deps.now() });
      const text =
        res === 'cleared'
          ? `:broom: Cleared ${ref.service} (${ref.environment}) from the watchlist. A new alert puts it back.`
          : res === 'already_clear'
            ? `${ref.service} (${ref.environment}) was already clear.`
            : `${ref.service} (${ref.environment}) is not on the watchlist.`;
      await tell(respond as Respond, client, where, text);
    } catch (e) {
      await tell(respond as Respond, client, where, errorText(e, deps.logger, 'Clear'));
    }
  });

  // A URL button still sends an action; acknowledge it so Slack shows no error.
  app.action(digestActionPattern(IDS.watchOpenChannel), async ({ ack }) => {
    await ack();
  });
}
