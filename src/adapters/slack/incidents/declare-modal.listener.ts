import type { App, ViewSubmitAction } from '@slack/bolt';
import { declareIncident } from '../../../app/incident-commands.service';
import type { AppDeps } from '../../../app/deps';
import { MAX_TITLE } from '../../../incidents/incident.types';
import { parseSeverity } from '../command.parser';
import { IDS } from '../ids';
import { PRIVACY_IDS } from '../privacy/privacy.blocks';
import { slackRequest } from '../request-context';
import { errorText } from '../slack-reply';

type Values = ViewSubmitAction['view']['state']['values'];

/** The declare form's fields; a form without state (see request-context) reads as empty. */
function readForm(values: Values | undefined) {
  const v = values ?? {};
  return {
    title: v[IDS.inputTitle]?.[IDS.inputTitle]?.value?.trim() ?? '',
    severity: parseSeverity(v[IDS.inputSeverity]?.[IDS.inputSeverity]?.selected_option?.value ?? 'SEV3') ?? 'SEV3',
    service: v[IDS.inputService]?.[IDS.inputService]?.value ?? undefined,
    description: v[IDS.inputDescription]?.[IDS.inputDescription]?.value ?? undefined,
    visibility: v[PRIVACY_IDS.inputPrivate]?.[PRIVACY_IDS.inputPrivate]?.selected_options?.some((o) => o.value === 'private')
      ? ('private' as const)
      : ('public' as const),
  };
}

const fieldError = (text: string) => ({ response_action: 'errors' as const, errors: { [IDS.inputTitle]: text } });

export function registerDeclareModal(app: App, deps: AppDeps) {
  app.view<ViewSubmitAction>(IDS.declareModal, async ({ ack, view, client, context }) => {
    const form = readForm(view.state?.values);
    // Answered on the field, before anything is written (the decider enforces the same limit).
    if (!form.title) return ack(fieldError('Please give the incident a title.'));
    if (form.title.length > MAX_TITLE)
      return ack(fieldError(`At most ${MAX_TITLE} characters (this is ${form.title.length}).`));
    const req = slackRequest(context);
    try {
      const res = await declareIncident(deps, {
        orgId: req.orgId,
        actor: await req.actor(),
        ...form,
        idempotencyKey: `view:${view.id}`,
      });
      await ack();
      // A DM from the bot confirms where the incident lives.
      const s = res.state;
      const text = `:rotating_light: Declared INC-${s.number}: ${s.title}. Opening #${s.channelName}.`;
      await client.chat.postMessage({ channel: req.userId, text }).catch(() => undefined);
    } catch (e) {
      await ack(fieldError(errorText(e, deps.logger, 'declaring').slice(0, 150)));
    }
  });
}
