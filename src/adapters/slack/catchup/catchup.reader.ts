import type { WebClient } from '@slack/web-api';
import type { ChannelReaderPort, ReadMessage, ReadPage } from '../../../app/catchup.service';
import { repeatable } from '../slack-idempotent';

/** The message fields the catch-up reads from conversations.history / replies. */
interface SlackMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
  thread_ts?: string;
  reply_count?: number;
  latest_reply?: string;
  pinned_to?: string[];
  reactions?: { count?: number }[];
}

/** Slack's own notices (joins, topic changes…) are not anyone's message. */
const SYSTEM = /^(channel_|group_|pinned_item|bot_add|bot_remove)/;
/** Slack's documented page size for history and replies is 200 at most (the fake allows more). */
const PAGE = 200;

function toMessage(m: SlackMessage, channel: string, botUserId?: string): ReadMessage | undefined {
  if (!m.ts || (m.subtype && SYSTEM.test(m.subtype))) return undefined;
  return {
    ts: m.ts,
    ...(m.user ? { user: m.user } : {}),
    bot: !!m.bot_id || m.subtype === 'bot_message' || (!!botUserId && m.user === botUserId),
    text: m.text ?? '',
    ...(m.thread_ts ? { threadTs: m.thread_ts } : {}),
    reactions: (m.reactions ?? []).reduce((n, r) => n + (r.count ?? 0), 0),
    pinned: (m.pinned_to ?? []).includes(channel),
    ...(m.reply_count ? { replyCount: m.reply_count } : {}),
    ...(m.latest_reply ? { latestReply: m.latest_reply } : {}),
  };
}

type PageCall = (
  limit: number,
  cursor?: string,
) => Promise<{ messages?: unknown[]; has_more?: boolean; response_metadata?: { next_cursor?: string } }>;

/** Pages until `max` raw messages were read (each counts, notices too) or the list ends. */
async function readPaged(
  call: PageCall,
  max: number,
  keep: (m: SlackMessage) => ReadMessage | undefined,
): Promise<ReadPage> {
  const messages: ReadMessage[] = [];
  let read = 0;
  let cursor: string | undefined;
  for (;;) {
    const limit = Math.min(PAGE, max - read);
    const res = await repeatable(() => call(limit, cursor));
    const page = (res.messages ?? []) as SlackMessage[];
    for (const m of page.slice(0, limit)) {
      const kept = keep(m);
      if (kept) messages.push(kept);
    }
    read += Math.min(page.length, limit);
    cursor = res.response_metadata?.next_cursor || undefined;
    const more = !!cursor || !!res.has_more || page.length > limit;
    if (!more) return { messages, read, truncated: false };
    if (read >= max) return { messages, read, truncated: true };
    if (!cursor) return { messages, read, truncated: false };
  }
}

/** The catch-up's reader over the Web API: history, thread replies and pins, bounded. */
export function slackChannelReader(client: WebClient, botUserId?: string): ChannelReaderPort {
  return {
    history: (channel, o) =>
      readPaged(
        (limit, cursor) =>
          client.conversations.history({ channel, limit, cursor, ...(o.oldest ? { oldest: o.oldest } : {}) }),
        o.max,
        (m) => toMessage(m, channel, botUserId),
      ),
    replies: (channel, threadTs, o) =>
      readPaged(
        (limit, cursor) => client.conversations.replies({ channel, ts: threadTs, oldest: o.oldest, limit, cursor }),
        o.max,
        (m) => (m.ts === threadTs ? undefined : toMessage(m, channel, botUserId)),
      ),
    async pinned(channel) {
      try {
        const res = await repeatable(() => client.pins.list({ channel }));
        const items = (res.items ?? []) as { message?: { ts?: string } }[];
        return new Set(items.flatMap((i) => (i.message?.ts ? [i.message.ts] : [])));
      } catch {
        return new Set(); // no pins:read yet: the messages' own pinned_to still marks them
      }
    },
  };
}
