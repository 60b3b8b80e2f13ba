import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { changeStatus, completeFollowUp } from '../../../app/incident-commands.service';
import type { AppDeps } from '../../../app/deps';
import { IDS } from '../ids';
import { slackRequest } from '../request-context';
import { errorText, tellUser } from '../slack-reply';

/**
 * Buttons on incident messages. The button's value only picks an item inside the incident of the channel
 * the press came from; workspace, user and role come from the signed envelope (the request context).
 */
export function registerIncidentButtons(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(IDS.actionDone, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const req = slackRequest(context);
    try {
      const incident = await req.requireIncident();
      await completeFollowUp(deps, {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: incident.id,
        actionId: action.value ?? '',
        idempotencyKey: `action:${body.trigger_id}`,
      });
    } catch (e) {
      await tellUser(
        respond,
        client,
        { channel: req.channelId, user: req.userId },
        errorText(e, deps.logger, 'the Done button'),
      );
    }
  });

  app.action<BlockAction<ButtonAction>>(IDS.markMitigated, async ({ ack, body, respond, client, context }) => {
    await ack();
    const req = slackRequest(context);
    try {
      const incident = await req.requireIncident();
      const input = {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: incident.id,
        idempotencyKey: `action:${body.trigger_id}`,
      };
      await changeStatus(deps, { ...input, status: 'MITIGATED', message: 'Every alert resolved.' });
    } catch (e) {
      await tellUser(
        respond,
        client,
        { channel: req.channelId, user: req.userId },
        errorText(e, deps.logger, 'Mark mitigated'),
      );
    }
  });
}
