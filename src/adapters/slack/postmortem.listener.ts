import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../app/deps';
import type { Actor } from '../../incidents/incident.types';
import { DomainError } from '../../shared/domain-error';
import { findIncidentByChannel, roleOf } from '../db/incident.queries';
import type { IncidentRow } from '../db/schema';
import { isGitHubPrError } from '../github/github-pr';
import { IDS } from './ids';
import { createPostmortemPr, draftPostmortemVersion, uploadPostmortem } from './postmortem.workflow';
import { errorText } from './slack-reply';
import { actorOf } from './subcommands/core.subcommands';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

interface Press {
  orgId: string;
  incident: IncidentRow;
  actor: Actor;
  channelId: string;
  client: WebClient;
  /** The preview's draft version from the button: only ever a choice *within* the channel's incident. */
  value?: string;
  idempotencyKey: string;
  /** Ephemeral to the presser. */
  tell(text: string): Promise<void>;
}

async function tellPresser(args: ButtonArgs, text: string) {
  const { body, respond, client } = args;
  try {
    // Never replace_original: the button lives in the shared preview message.
    await respond({ text, response_type: 'ephemeral', replace_original: false });
  } catch {
    if (body.channel?.id) await client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text }).catch(() => undefined);
  }
}

/**
 * Every press is re-checked from Slack's signed envelope: the org (team), the incident (the channel
 * the button was pressed in) and the presser's role. Button values never select the tenant or incident.
 */
function onPress(deps: AppDeps, what: string, run: (p: Press) => Promise<string | undefined>) {
  return async (args: ButtonArgs) => {
    const { ack, body, action, client, context } = args;
    await ack();
    const tell = (text: string) => tellPresser(args, text);
    try {
      const orgId = context.teamId ?? body.team?.id ?? '';
      const channelId = body.channel?.id;
      const incident = channelId ? await findIncidentByChannel(deps.db, orgId, channelId) : undefined;
      if (!incident || !channelId) throw new DomainError('not_in_incident_channel', 'This only works in an incident channel.');
      const role = await roleOf(deps.db, orgId, body.user.id, deps.config.adminUserIds);
      const actor = actorOf({ userId: body.user.id, role });
      const reply = await run({ orgId, incident, actor, channelId, client, value: action.value, idempotencyKey: `action:${body.trigger_id}`, tell });
      if (reply) await tell(reply);
    } catch (e) {
      if (isGitHubPrError(e)) deps.logger.warn({ code: e.code, status: e.details.status, github: e.details.githubMessage }, 'postmortem pull request failed');
      await tell(errorText(e, deps.logger, what));
    }
  };
}

function prReply(r: Awaited<ReturnType<typeof createPostmortemPr>>): string {
  const link = `<${r.url}|#${r.number}>`;
  if (r.created) return `:white_check_mark: Opened pull request ${link} with postmortem draft v${r.version} (\`${r.path}\` on \`${r.branch}\`).`;
  if (r.keptGitHubEdits) return `Pull request ${link} is already open. Its file was edited on GitHub, so draft v${r.version} was *not* written over those edits.`;
  if (r.updated) return `:arrows_counterclockwise: Pull request ${link} is already open; updated its file to draft v${r.version}.`;
  return `Pull request ${link} is already open and has draft v${r.version}.`;
}

export function registerPostmortemListeners(app: App, deps: AppDeps) {
  const draft = (what: string) =>
    onPress(deps, what, async (p) => {
      if (deps.postmortems?.drafter) await p.tell(':hourglass_flowing_sand: Drafting a new version of the postmortem…');
      const r = await draftPostmortemVersion(deps, { orgId: p.orgId, incidentId: p.incident.id, actor: p.actor, client: p.client, idempotencyKey: p.idempotencyKey });
      return r.duplicate ? `Postmortem draft v${r.version} is already posted.` : undefined; // the preview itself is the answer
    });

  app.action<BlockAction<ButtonAction>>(IDS.postmortemDraft, draft('Draft postmortem'));
  app.action<BlockAction<ButtonAction>>(IDS.postmortemRegenerate, draft('Regenerate'));

  app.action<BlockAction<ButtonAction>>(
    IDS.postmortemCreatePr,
    onPress(deps, 'Create PR', async (p) => {
      const r = await createPostmortemPr(deps, { orgId: p.orgId, incidentId: p.incident.id, actor: p.actor, client: p.client, idempotencyKey: p.idempotencyKey });
      return prReply(r);
    }),
  );

  app.action<BlockAction<ButtonAction>>(
    IDS.postmortemDownload,
    onPress(deps, 'Download', async (p) => {
      const version = Number(p.value);
      await uploadPostmortem(deps, { orgId: p.orgId, incidentId: p.incident.id, actor: p.actor, client: p.client, channelId: p.channelId, version: Number.isInteger(version) && version > 0 ? version : undefined });
      return undefined; // the file message in the channel is the answer
    }),
  );
}
