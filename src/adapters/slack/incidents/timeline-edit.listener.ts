import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { correctEntryTime, timelineView } from '../../../app/timeline-sync.service';
import { DomainError } from '../../../shared/domain-error';
import { slackRequest } from '../request-context';
import { errorText, tellUser } from '../slack-reply';
import { TIMELINE_IDS, correctTimeModal } from './timeline-sync.blocks';

/** Which incident the form is about; the permission is checked again for the submitter on submission. */
function formIncident(metadata: string | undefined): string {
  try {
    const id = (JSON.parse(metadata ?? '{}') as { incidentId?: unknown }).incidentId;
    if (typeof id === 'string' && id) return id;
  } catch {
    // fall through: a form we did not make
  }
  throw new DomainError('invalid_input', 'That form is not one of ours; open it again from `/incident timeline`.');
}

/** "Correct a time…" under `/incident timeline`: pick an entry and its new time in a form. */
export function registerTimelineEdit(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(TIMELINE_IDS.correctButton, async ({ ack, body, respond, client, context }) => {
    await ack();
    const req = slackRequest(context);
    try {
      // The channel's incident, not the button's value: a forged value cannot reach another incident.
      const incident = await req.requireIncident();
      const view = await timelineView(deps, { orgId: req.orgId, actor: await req.actor(), incidentId: incident.id });
      const modal = correctTimeModal({
        incidentId: incident.id,
        channelId: incident.channel_id ?? '',
        number: incident.number,
        items: view.items,
      });
      await client.views.open({ trigger_id: body.trigger_id, view: modal as never });
    } catch (e) {
      await tellUser(
        respond,
        client,
        { channel: req.channelId, user: req.userId },
        errorText(e, deps.logger, 'Correct a time'),
      );
    }
  });

  app.view<ViewSubmitAction>(TIMELINE_IDS.modal, async ({ ack, view, context }) => {
    const values = view.state.values;
    const seq = Number(values[TIMELINE_IDS.entry]?.[TIMELINE_IDS.entry]?.selected_option?.value);
    const time = values[TIMELINE_IDS.time]?.[TIMELINE_IDS.time]?.value?.trim() ?? '';
    const errors: Record<string, string> = {};
    if (!Number.isInteger(seq) || seq < 1) errors[TIMELINE_IDS.entry] = 'Pick the entry to correct.';
    if (!time) errors[TIMELINE_IDS.time] = 'Give the time it happened, e.g. 09:55.';
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const req = slackRequest(context);
    try {
      const incidentId = formIncident(view.private_metadata);
      await correctEntryTime(deps, {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId,
        seq,
        time,
        idempotencyKey: `view:${view.id}`,
      });
      await ack();
    } catch (e) {
      await ack({
        response_action: 'errors',
        errors: { [TIMELINE_IDS.time]: errorText(e, deps.logger, 'correcting the time').slice(0, 150) },
      });
    }
  });
}
