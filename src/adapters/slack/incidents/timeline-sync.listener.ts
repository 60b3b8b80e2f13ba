import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { captureThreadReply, syncMessageDelete, syncMessageEdit } from '../../../app/timeline-sync.service';
import type { NoteFile } from '../../../incidents/timeline.decider';
import { slackRequest } from '../request-context';

/** The parts of Slack's message events we read (message, message_changed, message_deleted). */
interface SlackMessage {
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: { name?: string; title?: string; permalink?: string; mimetype?: string }[];
}
interface MessageEvent extends SlackMessage {
  channel?: string;
  message?: SlackMessage;
  deleted_ts?: string;
}

/** Files and images become links to Slack's own copy (never downloaded). */
export const noteFiles = (files: SlackMessage['files']): NoteFile[] =>
  (files ?? []).flatMap((f) =>
    f.permalink
      ? [{ name: f.title || f.name || 'file', permalink: f.permalink, ...(f.mimetype ? { mimetype: f.mimetype } : {}) }]
      : [],
  );

/** Subtypes that are a person's new message (with or without files). */
const NEW_MESSAGE = new Set([undefined, 'file_share', 'thread_broadcast']);

/**
 * `message.channels` / `message.groups`: thread replies under the pinned summary join the timeline, and
 * edits and deletes of captured messages follow. Slack's retries carry the same event_id, which the
 * service uses as the idempotency key.
 */
export function registerTimelineSync(app: App, deps: AppDeps) {
  app.event('message', async ({ event, body, context }) => {
    const e = event as unknown as MessageEvent;
    const channelId = e.channel;
    if (!channelId) return;
    const { orgId } = slackRequest(context);
    const eventId = (body as { event_id?: string }).event_id;
    try {
      if (e.subtype === 'message_deleted' && e.deleted_ts) {
        await syncMessageDelete(deps, { orgId, channelId, ts: e.deleted_ts, eventId });
      } else if (e.subtype === 'message_changed' && e.message?.ts) {
        const m = e.message;
        if (m.subtype === 'tombstone') await syncMessageDelete(deps, { orgId, channelId, ts: m.ts!, eventId });
        else
          await syncMessageEdit(deps, {
            orgId,
            channelId,
            ts: m.ts!,
            eventId,
            user: m.user,
            text: m.text,
            files: noteFiles(m.files),
          });
      } else if (NEW_MESSAGE.has(e.subtype) && !e.bot_id && e.ts && e.thread_ts) {
        const files = noteFiles(e.files);
        await captureThreadReply(deps, {
          orgId,
          channelId,
          ts: e.ts,
          threadTs: e.thread_ts,
          user: e.user,
          text: e.text,
          files,
          eventId,
        });
      }
    } catch (err) {
      // Nothing to tell anyone in the channel; Slack would only retry into the same failure.
      deps.logger.warn({ err, channel: channelId, subtype: e.subtype }, 'channel message not synced to the timeline');
    }
  });
}
