import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import type { PostmortemRequest, PostmortemService, PullRequestOutcome } from '../../../app/postmortem.service';
import { isGitHubPrError } from '../../github/github-pr.errors';
import { IDS } from '../ids';
import { slackRequest } from '../request-context';
import { errorText } from '../slack-reply';
import { postmortemServiceFor } from './postmortem.wiring';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

interface Press {
  service: PostmortemService;
  /** Org, incident (the channel's), presser and idempotency key, all from Slack's signed envelope. */
  req: PostmortemRequest;
  channelId: string;
  /** The preview's draft version from the button: only ever a choice *within* the channel's incident. */
  value?: string;
  /** Ephemeral to the presser. */
  tell(text: string): Promise<void>;
}

async function tellPresser(args: ButtonArgs, text: string) {
  const { body, respond, client } = args;
  try {
    // Never replace_original: the button lives in the shared preview message.
    await respond({ text, response_type: 'ephemeral', replace_original: false });
  } catch {
    if (body.channel?.id)
      await client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text }).catch(() => undefined);
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
      const slack = slackRequest(context);
      const incident = await slack.requireIncident();
      const req = {
        orgId: slack.orgId,
        incidentId: incident.id,
        actor: await slack.actor(),
        idempotencyKey: `action:${body.trigger_id}`,
      };
      const service = postmortemServiceFor(deps, client);
      const reply = await run({
        service,
        req,
        channelId: incident.channel_id ?? slack.channelId ?? '',
        value: action.value,
        tell,
      });
      if (reply) await tell(reply);
    } catch (e) {
      if (isGitHubPrError(e))
        deps.logger.warn(
          { code: e.code, status: e.details.status, github: e.details.githubMessage },
          'postmortem pull request failed',
        );
      await tell(errorText(e, deps.logger, what));
    }
  };
}

function prReply(r: PullRequestOutcome): string {
  const link = `<${r.url}|#${r.number}>`;
  if (r.created)
    return `:white_check_mark: Opened pull request ${link} with postmortem draft v${r.version} (\`${r.path}\` on \`${r.branch}\`).`;
  if (r.keptGitHubEdits)
    return `Pull request ${link} is already open. Its file was edited on GitHub, so draft v${r.version} was *not* written over those edits.`;
  if (r.updated)
    return `:arrows_counterclockwise: Pull request ${link} is already open; updated its file to draft v${r.version}.`;
  return `Pull request ${link} is already open and has draft v${r.version}.`;
}

/** Draft postmortem / Regenerate / Create PR / Download: parse the press, call the postmortem service, answer the presser. */
export function registerPostmortemListeners(app: App, deps: AppDeps) {
  const draft = (what: string, use: 'draft' | 'regenerate') =>
    onPress(deps, what, async ({ service, req, tell }) => {
      if (service.usesModel) await tell(':hourglass_flowing_sand: Drafting a new version of the postmortem…');
      const r = await service[use](req);
      return r.duplicate ? `Postmortem draft v${r.version} is already posted.` : undefined; // the preview itself is the answer
    });

  app.action<BlockAction<ButtonAction>>(IDS.postmortemDraft, draft('Draft postmortem', 'draft'));
  app.action<BlockAction<ButtonAction>>(IDS.postmortemRegenerate, draft('Regenerate', 'regenerate'));

  app.action<BlockAction<ButtonAction>>(
    IDS.postmortemCreatePr,
    onPress(deps, 'Create PR', async ({ service, req }) => prReply(await service.openPullRequest(req))),
  );

  app.action<BlockAction<ButtonAction>>(
    IDS.postmortemDownload,
    onPress(deps, 'Download', async ({ service, req, channelId, value }) => {
      const version = Number(value);
      await service.download({
        ...req,
        channelId,
        version: Number.isInteger(version) && version > 0 ? version : undefined,
      });
      return undefined; // the file message in the channel is the answer
    }),
  );
}
