import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { DomainError } from '../../../shared/domain-error';
import { slackRequest } from '../request-context';
import { errorText } from '../slack-reply';
import { GUIDANCE_ADD_ACTION, decodeGuidanceActionValue } from './guidance.blocks';
import { guidanceServiceFor, runbookServiceFor } from './guidance.wiring';
import { RUNBOOK_INPUT, RUNBOOK_MODAL, RUNBOOK_URL_INPUT, modalService } from './runbook.modal';

type Respond = (msg: { text: string; response_type?: 'ephemeral'; replace_original?: boolean }) => Promise<unknown>;

async function tell(respond: Respond, client: App['client'], where: { channel?: string; user: string }, text: string) {
  try {
    await respond({ text, response_type: 'ephemeral', replace_original: false });
  } catch {
    if (where.channel)
      await client.chat.postEphemeral({ channel: where.channel, user: where.user, text }).catch(() => undefined);
  }
}

/** The guidance message's **Add to actions** buttons and the runbook edit form. */
export function registerGuidanceListeners(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(
    GUIDANCE_ADD_ACTION,
    async ({ ack, body, action, respond, client, context }) => {
      await ack();
      const where = { channel: body.channel?.id, user: body.user.id };
      const say = (text: string) => tell(respond as Respond, client, where, text);
      try {
        const value = decodeGuidanceActionValue(action.value ?? '');
        if (!value)
          throw new DomainError(
            'invalid_input',
            'This suggestion can no longer be added. Run `/incident guidance` again.',
          );
        // The value only names the incident. The workspace comes from the signed envelope, and the
        // service refuses a value naming any incident but the one of the channel it was pressed in.
        const slack = slackRequest(context);
        const r = await guidanceServiceFor(deps).addSuggestion({
          orgId: slack.orgId,
          incidentId: value.incidentId,
          channelId: where.channel,
          actor: await slack.actor(),
          text: value.text,
          idempotencyKey: `guidance:${body.trigger_id}`,
        });
        if (r.added) await say(`Added to the follow-ups of INC-${r.incidentNumber}.`);
        else if (r.reason === 'already_open')
          await say(`That is already an open follow-up on INC-${r.incidentNumber}.`);
      } catch (e) {
        await say(errorText(e, deps.logger, 'Add to actions'));
      }
    },
  );

  app.view<ViewSubmitAction>(RUNBOOK_MODAL, async ({ ack, view, context }) => {
    const values = view.state.values;
    const markdown = values[RUNBOOK_INPUT]?.[RUNBOOK_INPUT]?.value ?? undefined;
    const url = values[RUNBOOK_URL_INPUT]?.[RUNBOOK_URL_INPUT]?.value ?? undefined;
    try {
      const service = modalService(view.private_metadata);
      if (!service)
        throw new DomainError(
          'invalid_input',
          'This form is no longer valid; run `/incident runbook <service> edit` again.',
        );
      const slack = slackRequest(context);
      // The role is re-checked on submit (by the service): it may have changed since the form opened.
      await runbookServiceFor(deps).save({ orgId: slack.orgId, actor: await slack.actor(), service, markdown, url });
      await ack();
    } catch (e) {
      await ack({
        response_action: 'errors',
        errors: { [RUNBOOK_INPUT]: errorText(e, deps.logger, 'saving the runbook').slice(0, 300) },
      });
    }
  });
}
