import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { planRollback, requestRollback, rollbackDepsOf } from '../../../app/rollback.service';
import { DomainError } from '../../../shared/domain-error';
import { slackRequest } from '../request-context';
import { errorText, tellUser } from '../slack-reply';
import {
  confirmRollbackModal,
  decodeRollbackValue,
  readConfirmMetadata,
  refusedRollbackModal,
  ROLLBACK_IDS,
} from './rollback.blocks';

/**
 * **Roll back** opens the confirmation (from → to, how) or says why not; submitting it asks the service.
 * The button only names a service and environment of the incident whose channel it was pressed in.
 */
export function registerRollbackListeners(app: App, deps: AppDeps) {
  const rollback = () => rollbackDepsOf(deps);

  app.action<BlockAction<ButtonAction>>(ROLLBACK_IDS.open, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const req = slackRequest(context);
    const where = { channel: req.channelId, user: req.userId };
    try {
      const incident = await req.requireIncident();
      const v = decodeRollbackValue(action.value);
      if (!v || v.incidentId !== incident.id)
        throw new DomainError(
          'forbidden',
          "That button belongs to another incident; use it in that incident's channel.",
        );
      const plan = await planRollback(rollback(), {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: incident.id,
        service: v.service,
        environment: v.environment,
      });
      await client.views.open({ trigger_id: body.trigger_id, view: confirmRollbackModal(plan) as never });
    } catch (e) {
      await tellUser(respond, client, where, errorText(e, deps.logger, 'Roll back'));
    }
  });

  app.view<ViewSubmitAction>(ROLLBACK_IDS.confirm, async ({ ack, view, context }) => {
    const req = slackRequest(context);
    const meta = readConfirmMetadata(view.private_metadata);
    try {
      if (!meta) throw new DomainError('invalid_input', 'That confirmation is incomplete; press Roll back again.');
      await requestRollback(rollback(), {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: meta.incidentId,
        service: meta.service,
        environment: meta.environment,
        expectedFrom: meta.from,
        expectedTo: meta.to,
        // Submitting the same confirmation twice (a double click, a Slack retry) starts one rollback.
        idempotencyKey: `rollback:${view.id}`,
      });
      await ack();
    } catch (e) {
      await ack({
        response_action: 'update',
        view: refusedRollbackModal(errorText(e, deps.logger, 'the rollback')) as never,
      });
    }
  });
}
