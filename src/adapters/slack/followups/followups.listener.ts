import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { exportFollowUp } from '../../../app/followups.service';
import { followUpDepsOf } from '../../github/followups.wiring';
import { IDS } from '../ids';
import { slackRequest } from '../request-context';
import { errorText, tellUser } from '../slack-reply';
import { exportReply } from './followups.blocks';

/**
 * The Export to GitHub button (on each follow-up message and in `/incident followups`). Acked at once; the
 * presser is told the issue link, or that the export is pending (the outbox creates the issue and posts it).
 */
export function registerFollowUpListeners(app: App, deps: AppDeps): void {
  app.action<BlockAction<ButtonAction>>(IDS.actionExport, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const req = slackRequest(context);
    const where = { channel: req.channelId, user: req.userId };
    try {
      const incident = await req.requireIncident();
      const r = await exportFollowUp(followUpDepsOf(deps), {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: incident.id,
        actionId: action.value ?? '',
        idempotencyKey: `export:${body.trigger_id}`,
      });
      await tellUser(respond, client, where, exportReply(r));
    } catch (e) {
      await tellUser(respond, client, where, errorText(e, deps.logger, 'Export to GitHub'));
    }
  });
}
