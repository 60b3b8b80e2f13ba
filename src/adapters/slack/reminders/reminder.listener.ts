import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { postUpdate } from '../../../app/incident-commands.service';
import { checkCanAnswerReminder, snoozeReminder } from '../../../app/reminder.service';
import { DomainError } from '../../../shared/domain-error';
import { incidentOfChannel } from '../../../app/incident-commands-read.service';
import { IDS } from '../ids';
import { type SlackRequest, slackRequest } from '../request-context';
import { errorText, tellUser } from '../slack-reply';
import { snoozedText, updateModal } from './reminder.blocks';

type Replace = (msg: { text: string; replace_original: boolean }) => Promise<unknown>;

/** The incident of the channel the button was pressed in; the button's value must name that same incident. */
async function reminderIncident(req: SlackRequest, value: string | undefined) {
  const incident = await req.incident();
  if (!incident || incident.id !== value)
    throw new DomainError('not_in_incident_channel', 'This button only works in its incident channel.');
  return incident;
}

function channelOfForm(privateMetadata: string | undefined): string | undefined {
  try {
    const v: unknown = JSON.parse(privateMetadata || '{}');
    return v && typeof v === 'object' && 'channelId' in v && typeof v.channelId === 'string' ? v.channelId : undefined;
  } catch {
    return undefined;
  }
}

/** The reminder's Post update and Snooze buttons, and the update form. */
export function registerReminderActions(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(
    IDS.reminderPostUpdate,
    async ({ ack, body, action, respond, client, context }) => {
      await ack();
      const req = slackRequest(context);
      try {
        const incident = await reminderIncident(req, action.value);
        checkCanAnswerReminder(await req.actor());
        await client.views.open({
          trigger_id: body.trigger_id,
          view: updateModal({ channelId: incident.channel_id!, number: incident.number }) as never,
        });
      } catch (e) {
        await tellUser(
          respond,
          client,
          { channel: req.channelId, user: req.userId },
          errorText(e, deps.logger, 'Post update'),
        );
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(IDS.reminderSnooze, async ({ ack, action, respond, client, context }) => {
    await ack();
    const req = slackRequest(context);
    const where = { channel: req.channelId, user: req.userId };
    try {
      const incident = await reminderIncident(req, action.value);
      const { until } = await snoozeReminder(deps, {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: incident.id,
      });
      const text = snoozedText(incident.number, req.userId, until.toISOString());
      // Replace the reminder (its buttons are spent); if that fails, at least tell the presser.
      await (respond as Replace)({ text, replace_original: true }).catch(() =>
        tellUser(undefined, client, where, text),
      );
    } catch (e) {
      await tellUser(respond, client, where, errorText(e, deps.logger, 'Snooze'));
    }
  });

  app.view<ViewSubmitAction>(IDS.updateModal, async ({ ack, view, context }) => {
    const text = view.state.values[IDS.inputUpdate]?.[IDS.inputUpdate]?.value?.trim() ?? '';
    if (!text) {
      await ack({ response_action: 'errors', errors: { [IDS.inputUpdate]: 'Please write the update.' } });
      return;
    }
    const req = slackRequest(context);
    try {
      const incident = await incidentOfChannel(deps, req.orgId, channelOfForm(view.private_metadata));
      if (!incident) throw new DomainError('not_found', 'That incident is no longer there.');
      await postUpdate(deps, {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: incident.id,
        idempotencyKey: `view:${view.id}`,
        text,
      });
      await ack();
    } catch (e) {
      await ack({
        response_action: 'errors',
        errors: { [IDS.inputUpdate]: errorText(e, deps.logger, 'posting the update').slice(0, 150) },
      });
    }
  });
}
