import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import {
  clearEntry,
  type ClearResult,
  declareDraftFromEntry,
  entryRefOf,
  type WatchlistDeps,
} from '../../../app/watchlist.service';
import { digestActionPattern } from '../../../watchlist/digest.blocks';
import { IDS } from '../ids';
import { declareModal } from '../incident.blocks';
import { slackRequest } from '../request-context';
import { errorText, tellUser } from '../slack-reply';

export const watchlistDepsOf = (deps: AppDeps): WatchlistDeps => ({
  db: deps.db,
  defaults: deps.config.digest,
  now: deps.now,
});

export function clearedText(r: ClearResult): string {
  const what = `${r.service} (${r.environment})`;
  switch (r.outcome) {
    case 'cleared':
      return `:broom: Cleared ${what} from the watchlist. A new alert puts it back.`;
    case 'already_clear':
      return `${what} was already clear.`;
    case 'not_found':
      return `${what} is not on the watchlist.`;
  }
}

/** The digest's buttons: Declare opens the declare form filled in from the entry; Clear takes it off the list. */
export function registerWatchlistActions(app: App, deps: AppDeps) {
  app.action<BlockAction<ButtonAction>>(
    digestActionPattern(IDS.watchDeclare),
    async ({ ack, body, action, respond, client, context }) => {
      await ack();
      const req = slackRequest(context);
      try {
        const draft = await declareDraftFromEntry(watchlistDepsOf(deps), {
          orgId: req.orgId,
          actor: await req.actor(),
          ref: entryRefOf(action.value),
        });
        // The existing declare form and its submission handler do the rest.
        await client.views.open({
          trigger_id: body.trigger_id,
          view: declareModal({ channelId: req.channelId ?? '', ...draft }) as never,
        });
      } catch (e) {
        await tellUser(
          respond,
          client,
          { channel: req.channelId, user: req.userId },
          errorText(e, deps.logger, 'Declare incident'),
        );
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(
    digestActionPattern(IDS.watchClear),
    async ({ ack, action, respond, client, context }) => {
      await ack();
      const req = slackRequest(context);
      const where = { channel: req.channelId, user: req.userId };
      try {
        const res = await clearEntry(watchlistDepsOf(deps), {
          orgId: req.orgId,
          actor: await req.actor(),
          ref: entryRefOf(action.value),
        });
        await tellUser(respond, client, where, clearedText(res));
      } catch (e) {
        await tellUser(respond, client, where, errorText(e, deps.logger, 'Clear'));
      }
    },
  );

  // A URL button still sends an action; acknowledge it so Slack shows no error.
  app.action(digestActionPattern(IDS.watchOpenChannel), async ({ ack }) => {
    await ack();
  });
}
