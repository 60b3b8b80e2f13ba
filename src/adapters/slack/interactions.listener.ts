import type { App, BlockAction, ButtonAction, MessageShortcut, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { DomainError } from '../../shared/domain-error';
import { findIncidentByChannel, roleOf } from '../db/incident.queries';
import { parseSeverity } from './command.parser';
import { IDS } from './ids';
import { errorText } from './slack-reply';
import { actorOf, declareIncident } from './subcommands/core.subcommands';

type Respond = (msg: { text: string; response_type?: 'ephemeral'; replace_original?: boolean }) => Promise<unknown>;

/**
 * Identity and tenancy come from Slack's signed envelope (team, user, channel), never from button
 * values or private_metadata: those only say *which* item, and are re-checked against the channel's incident.
 */
async function incidentContext(deps: AppDeps, orgId: string, userId: string, channelId: string | undefined) {
  const role = await roleOf(deps.db, orgId, userId, deps.config.adminUserIds);
  const incident = channelId ? await findIncidentByChannel(deps.db, orgId, channelId) : undefined;
  if (!incident) throw new DomainError('not_in_incident_channel', 'This only works in an incident channel.');
  return { role, incident };
}

async function tell(respond: Respond, client: App['client'], where: { channel?: string; user: string }, text: string) {
  try {
    await respond({ text, response_type: 'ephemeral', replace_original: false });
  } catch {
    if (where.channel) await client.chat.postEphemeral({ channel: where.channel, user: where.user, text }).catch(() => undefined);
  }
}

export function registerInteractions(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(IDS.actionDone, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? body.team?.id ?? '';
    try {
      const { role, incident } = await incidentContext(deps, orgId, body.user.id, body.channel?.id);
      await deps.incidents.execute({ orgId, incidentId: incident.id, actor: actorOf({ userId: body.user.id, role }), idempotencyKey: `action:${body.trigger_id}`, command: { type: 'CompleteAction', actionId: action.value ?? '' } });
      deps.kickOutbox();
    } catch (e) {
      await tell(respond as Respond, client, { channel: body.channel?.id, user: body.user.id }, errorText(e, deps.logger, 'the Done button'));
    }
  });

  app.action<BlockAction<ButtonAction>>(IDS.markMitigated, async ({ ack, body, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? body.team?.id ?? '';
    try {
      const { role, incident } = await incidentContext(deps, orgId, body.user.id, body.channel?.id);
      await deps.incidents.execute({ orgId, incidentId: incident.id, actor: actorOf({ userId: body.user.id, role }), idempotencyKey: `action:${body.trigger_id}`, command: { type: 'ChangeStatus', status: 'MITIGATED', message: 'Every alert resolved.' } });
      deps.kickOutbox();
    } catch (e) {
      await tell(respond as Respond, client, { channel: body.channel?.id, user: body.user.id }, errorText(e, deps.logger, 'Mark mitigated'));
    }
  });

  app.shortcut<MessageShortcut>(IDS.shortcutAddToTimeline, async ({ ack, shortcut, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? shortcut.team?.id ?? '';
    try {
      const { role, incident } = await incidentContext(deps, orgId, shortcut.user.id, shortcut.channel.id);
      const res = await deps.incidents.execute({
        orgId,
        incidentId: incident.id,
        actor: actorOf({ userId: shortcut.user.id, role }),
        idempotencyKey: `msg:${shortcut.channel.id}:${shortcut.message.ts}`,
        command: { type: 'AddNote', text: (shortcut.message.text ?? '').slice(0, 3000) || '(message without text)', source: { channelId: shortcut.channel.id, ts: shortcut.message.ts, author: shortcut.message.user } },
      });
      deps.kickOutbox();
      await tell(respond as Respond, client, { channel: shortcut.channel.id, user: shortcut.user.id }, res.duplicate ? 'That message is already on the timeline.' : `Added to the timeline of INC-${incident.number}.`);
    } catch (e) {
      await tell(respond as Respond, client, { channel: shortcut.channel.id, user: shortcut.user.id }, errorText(e, deps.logger, 'Add to incident timeline'));
    }
  });

  app.view<ViewSubmitAction>(IDS.declareModal, async ({ ack, body, view, client, context }) => {
    const v = view.state.values;
    const title = v[IDS.inputTitle]?.[IDS.inputTitle]?.value?.trim() ?? '';
    const severity = parseSeverity(v[IDS.inputSeverity]?.[IDS.inputSeverity]?.selected_option?.value ?? 'SEV3') ?? 'SEV3';
    const service = v[IDS.inputService]?.[IDS.inputService]?.value ?? undefined;
    const description = v[IDS.inputDescription]?.[IDS.inputDescription]?.value ?? undefined;
    if (!title) {
      await ack({ response_action: 'errors', errors: { [IDS.inputTitle]: 'Please give the incident a title.' } });
      return;
    }
    if (title.length > 150) {
      await ack({ response_action: 'errors', errors: { [IDS.inputTitle]: `At most 150 characters (this is ${title.length}).` } });
      return;
    }
    const orgId = context.teamId ?? body.team?.id ?? '';
    const userId = body.user.id;
    try {
      const role = await roleOf(deps.db, orgId, userId, deps.config.adminUserIds);
      const res = await declareIncident(deps, { orgId, actor: actorOf({ userId, role }), title, severity, service, description, idempotencyKey: `view:${view.id}` });
      await ack();
      deps.kickOutbox();
      // A DM from the bot confirms where the incident lives.
      await client.chat.postMessage({ channel: userId, text: `:rotating_light: Declared INC-${res.state.number}: ${res.state.title}. Opening #${res.state.channelName}.` }).catch(() => undefined);
    } catch (e) {
      await ack({ response_action: 'errors', errors: { [IDS.inputTitle]: errorText(e, deps.logger, 'declaring').slice(0, 150) } });
    }
  });
}
