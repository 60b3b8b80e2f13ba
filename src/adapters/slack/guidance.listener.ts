import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { GUIDANCE_ADD_ACTION, decodeGuidanceActionValue } from '../../guidance/guidance.blocks';
import { DomainError } from '../../shared/domain-error';
import { findIncidentById, roleOf } from '../db/incident.queries';
import { setRunbook } from '../runbooks/runbook-files';
import { RUNBOOK_INPUT, RUNBOOK_MODAL, RUNBOOK_URL_INPUT, modalService } from './runbook.modal';
import { errorText } from './slack-reply';
import { actorOf } from './subcommands/core.subcommands';
import { requireRunbookEditor } from './subcommands/guidance.subcommands';

type Respond = (msg: { text: string; response_type?: 'ephemeral'; replace_original?: boolean }) => Promise<unknown>;

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

async function tell(respond: Respond, client: App['client'], where: { channel?: string; user: string }, text: string) {
  try {
    await respond({ text, response_type: 'ephemeral', replace_original: false });
  } catch {
    if (where.channel) await client.chat.postEphemeral({ channel: where.channel, user: where.user, text }).catch(() => undefined);
  }
}

/** The guidance message's **Add to actions** buttons and the runbook edit form. */
export function registerGuidanceListeners(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(GUIDANCE_ADD_ACTION, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const orgId = context.teamId ?? body.team?.id ?? '';
    const where = { channel: body.channel?.id, user: body.user.id };
    try {
      const value = decodeGuidanceActionValue(action.value ?? '');
      if (!value) throw new DomainError('invalid_input', 'This suggestion can no longer be added. Run `/incident guidance` again.');
      // The value only names the incident. The workspace comes from the signed envelope, and the
      // button lives in that incident's own channel: a value naming any other incident is refused.
      const incident = await findIncidentById(deps.db, orgId, value.incidentId);
      if (!incident || !where.channel || incident.channel_id !== where.channel) {
        throw new DomainError('forbidden', "That suggestion belongs to another incident; add it from that incident's channel.");
      }
      const state = await deps.incidents.load(orgId, incident.id);
      if (state.actions.some((a) => !a.done && norm(a.text) === norm(value.text))) {
        await tell(respond as Respond, client, where, `That is already an open follow-up on INC-${incident.number}.`);
        return;
      }
      const role = await roleOf(deps.db, orgId, body.user.id, deps.config.adminUserIds);
      const res = await deps.incidents.execute({
        orgId,
        incidentId: incident.id,
        actor: actorOf({ userId: body.user.id, role }),
        idempotencyKey: `guidance:${body.trigger_id}`,
        command: { type: 'AddAction', actionId: randomUUID(), text: value.text },
      });
      deps.kickOutbox();
      if (!res.duplicate) await tell(respond as Respond, client, where, `Added to the follow-ups of INC-${incident.number}.`);
    } catch (e) {
      await tell(respond as Respond, client, where, errorText(e, deps.logger, 'Add to actions'));
    }
  });

  app.view<ViewSubmitAction>(RUNBOOK_MODAL, async ({ ack, body, view, context }) => {
    const orgId = context.teamId ?? body.team?.id ?? '';
    const values = view.state.values;
    const markdown = values[RUNBOOK_INPUT]?.[RUNBOOK_INPUT]?.value ?? undefined;
    const url = values[RUNBOOK_URL_INPUT]?.[RUNBOOK_URL_INPUT]?.value ?? undefined;
    try {
      const service = modalService(view.private_metadata);
      if (!service) throw new DomainError('invalid_input', 'This form is no longer valid; run `/incident runbook <service> edit` again.');
      // Re-checked on submit: the role may have changed since the form opened.
      requireRunbookEditor(await roleOf(deps.db, orgId, body.user.id, deps.config.adminUserIds));
      await setRunbook(deps.db, { orgId, service, markdown, url, userId: body.user.id, now: deps.now() });
      await ack();
    } catch (e) {
      await ack({ response_action: 'errors', errors: { [RUNBOOK_INPUT]: errorText(e, deps.logger, 'saving the runbook').slice(0, 300) } });
    }
  });
}
