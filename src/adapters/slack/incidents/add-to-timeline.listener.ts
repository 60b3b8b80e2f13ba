import type { App, MessageShortcut } from '@slack/bolt';
import { addMessageToTimeline } from '../../../app/incident-commands.service';
import type { AppDeps } from '../../../app/deps';
import { IDS } from '../ids';
import { slackRequest } from '../request-context';
import { errorText, tellUser } from '../slack-reply';
import { noteFiles } from './timeline-sync.listener';

/** The "Add to incident timeline" shortcut and a :pushpin: reaction: that message joins the timeline, once. */
export function registerAddToTimeline(app: App, deps: AppDeps) {
  app.shortcut<MessageShortcut>(IDS.shortcutAddToTimeline, async ({ ack, shortcut, respond, client, context }) => {
    await ack();
    const req = slackRequest(context);
    const where = { channel: shortcut.channel.id, user: req.userId };
    try {
      const incident = await req.requireIncident();
      const m = shortcut.message;
      const res = await addMessageToTimeline(deps, {
        orgId: req.orgId,
        actor: await req.actor(),
        incidentId: incident.id,
        idempotencyKey: `msg:${shortcut.channel.id}:${m.ts}`,
        message: {
          channelId: shortcut.channel.id,
          ts: m.ts,
          author: m.user,
          text: m.text,
          files: noteFiles((m as { files?: never }).files),
        },
      });
      await tellUser(
        respond,
        client,
        where,
        res.duplicate ? 'That message is already on the timeline.' : `Added to the timeline of INC-${incident.number}.`,
      );
    } catch (e) {
      await tellUser(respond, client, where, errorText(e, deps.logger, 'Add to incident timeline'));
    }
  });

  app.event('reaction_added', async ({ event, client, context }) => {
    if (event.reaction !== 'pushpin' || event.item.type !== 'message') return;
    const req = slackRequest(context);
    const { channel, ts } = event.item;
    const incident = await req.incident();
    if (!incident) return;
    const actor = await req.actor();
    const hist = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
    // A thread reply is not in the channel's history: look it up in its thread.
    const thread = async () => (await client.conversations.replies({ channel, ts, limit: 1000 }).catch(() => undefined))?.messages;
    const msg = hist.messages?.find((m) => m.ts === ts) ?? (await thread())?.find((m) => m.ts === ts);
    if (!msg) return;
    try {
      const files = noteFiles(msg.files as never);
      const message = { channelId: channel, ts, author: msg.user, text: msg.text, files };
      await addMessageToTimeline(deps, {
        orgId: req.orgId,
        actor,
        incidentId: incident.id,
        idempotencyKey: `msg:${channel}:${ts}`,
        message,
      });
    } catch (e) {
      deps.logger.info({ err: e }, 'pushpin not added');
    }
  });
}
