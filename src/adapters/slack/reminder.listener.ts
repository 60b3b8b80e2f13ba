import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { DomainError } from '../../shared/domain-error';
import { atLeast } from '../../shared/roles';
import { SNOOZE_MS } from '../../watchlist/reminder.policy';
import { snoozeReminders } from '../db/digest-jobs.repo';
import { findIncidentByChannel, roleOf } from '../db/incident.queries';
import { tell } from './digest.listener';
import { IDS } from './ids';
import { snoozedText, updateModal } from './reminder.blocks';
import { errorText } from './slack-reply';
import { actorOf } from './subcommands/core.subcommands';

type Respond = (msg: { text: string; response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean; blocks?: unknown[] }) => Promise<unknown>;

/** The incident of the channel the button was pressed in; the button's value must name that same incident. */
async function reminderContext(deps: AppDeps, orgId: string, userId: string, channelId: string | undefined, value: string | undefined) {
  const incident = channelId ? await findIncidentByChannel(deps.db, orgId, channelId) : undefined;
  if (!incident || incident.id !== value) throw new DomainError('not_in_incident_channel', 'This button only works in its incident channel.');
  const role = await roleOf(deps.db, orgId, userId, deps.config.adminUserIds);
  if (!atLeast(role, 'responder')) throw new DomainError('forbidden', `This needs the responder role; you are a ${role.replace('_', ' ')}.`);
  return { incident, role };
}

export function registerReminderActions(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(IDS.reminderPostUpdate, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? body.team?.id ?? '';
    try {
      const { incident } = await reminderContext(deps, orgId, body.user.id, body.channel?.id, action.value);
      await client.views.open({ trigger_id: body.trigger_id, view: updateModal({ channelId: incident.channel_id!, number: incident.number }) as never });
    } catch (e) {
      await tell(respond as Respond, client, { channel: body.channel?.id, user: body.user.id }, errorText(e, deps.logger, 'Post update'));
    }
  });

  app.action<BlockAction<ButtonAction>>(IDS.reminderSnooze, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? body.team?.id ?? '';
    const where = { channel: body.channel?.id, user: body.user.id };
    try {
      const { incident } = await reminderContext(deps, orgId, body.user.id, body.channel?.id, action.value);
      const now = deps.now();
      const until = new Date(now.getTime() + SNOOZE_MS);
      await snoozeReminders(deps.db, { orgId, incidentId: incident.id, until, by: body.user.id, now });
      const text = snoozedText(incident.number, body.user.id, until.toISOString());
      // Replace the reminder (its buttons are spent); if that fails, at least tell the presser.
      await (respond as Respond)({ text, replace_original: true }).catch(() => tell(undefined, client, where, text));
    } catch (e) {
      await tell(respond as Respond, client, where, errorText(e, deps.logger, 'Snooze'));
    }
  });

  app.view<ViewSubmitAction>(IDS.updateModal, async ({ ack, body, view, context }) => {
    const text = view.state.values[IDS.inputUpdate]?.[IDS.inputUpdate]?.value?.trim() ?? '';
    if (!text) {
      await ack({ response_action: 'errors', errors: { [IDS.inputUpdate]: 'Please write the update.' } });
      return;
    }
    const orgId = context.teamId ?? body.team?.id ?? '';
    try {
      let channelId: string | undefined;
      try {
        channelId = (JSON.parse(view.private_metadata || '{}') as { channelId?: string }).channelId;
      } catch {
        channelId = undefined;
      }
      const incident = channelId ? await findIncidentByChannel(deps.db, orgId, channelId) : undefined;
      if (!incident) throw new DomainError('not_found', 'That incident is no longer there.');
      const role = await roleOf(deps.db, orgId, body.user.id, deps.config.adminUserIds);
      await deps.incidents.execute({ orgId, incidentId: incident.id, actor: actorOf({ userId: body.user.id, role }), idempotencyKey: `view:${view.id}`, command: { type: 'PostUpdate', text } });
      await ack();
      deps.kickOutbox();
    } catch (e) {
      await ack({ response_action: 'errors', errors: { [IDS.inputUpdate]: errorText(e, deps.logger, 'posting the update').slice(0, 150) } });
    }
  });
}
