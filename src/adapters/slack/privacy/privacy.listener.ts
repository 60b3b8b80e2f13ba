import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { decideAccess, requestAccess } from '../../../app/privacy.service';
import { DomainError } from '../../../shared/domain-error';
import { slackRequest } from '../request-context';
import { errorText } from '../slack-reply';
import { type AccessButtonValue, PRIVACY_IDS } from './privacy.blocks';

type Respond = (m: { text: string; replace_original?: boolean; response_type?: 'ephemeral' }) => Promise<unknown>;

function readValue(value: string | undefined): AccessButtonValue {
  try {
    const v = JSON.parse(value ?? '') as Partial<AccessButtonValue>;
    if (typeof v.incidentId === 'string' && typeof v.requestId === 'string') return v as AccessButtonValue;
  } catch {
    // fall through
  }
  throw new DomainError('invalid_input', 'That button is not an access request.');
}

/**
 * Approve / Deny on an access request DM, and "Request access" on a private-incident refusal. Who pressed comes
 * from the signed envelope; the decider checks they are the commander or an admin.
 */
export function registerPrivacyListeners(app: App, deps: AppDeps): void {
  for (const decision of ['approved', 'denied'] as const) {
    const id = decision === 'approved' ? PRIVACY_IDS.approve : PRIVACY_IDS.deny;
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, action, respond, context }) => {
      await ack();
      const req = slackRequest(context);
      const say = respond as unknown as Respond;
      try {
        const v = readValue(action.value);
        const r = await decideAccess(deps, {
          orgId: req.orgId,
          actor: await req.actor(),
          incidentId: v.incidentId,
          requestId: v.requestId,
          decision,
          idempotencyKey: `access:${v.requestId}`,
        });
        await say({ text: `You ${r.decision} <@${r.userId}>'s request to join INC-${r.number}.`, replace_original: true });
      } catch (e) {
        await say({ text: errorText(e, deps.logger, 'the access decision'), response_type: 'ephemeral', replace_original: false });
      }
    });
  }

  app.action<BlockAction<ButtonAction>>(PRIVACY_IDS.requestAccess, async ({ ack, action, respond, context }) => {
    await ack();
    const req = slackRequest(context);
    const say = respond as unknown as Respond;
    try {
      const r = await requestAccess(deps, { orgId: req.orgId, actor: await req.actor(), ref: action.value ?? '' });
      await say({ text: `:hourglass: Asked for access to INC-${r.number}; you will get a DM with the answer.`, replace_original: false });
    } catch (e) {
      await say({ text: errorText(e, deps.logger, 'Request access'), response_type: 'ephemeral', replace_original: false });
    }
  });
}
