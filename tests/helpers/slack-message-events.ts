/**
 * Events API `message` payloads as Slack sends them for channel messages (message.channels / message.groups):
 * a new message (with files: subtype file_share), an edit (message_changed) and a delete (message_deleted).
 */
let n = 0;
const eventTs = () => `${Math.floor(Date.now() / 1000)}.${String(900000 + (++n % 99999)).padStart(6, '0')}`;

export interface PostedMessage {
  ts: string;
  user: string;
  text: string;
  thread_ts?: string;
  files?: unknown[];
}

export const messageEvent = (channel: string, m: PostedMessage) => ({
  type: 'message',
  channel,
  channel_type: 'channel',
  user: m.user,
  text: m.text,
  ts: m.ts,
  ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
  ...(m.files ? { files: m.files, subtype: 'file_share' } : {}),
});

export const messageChanged = (channel: string, m: PostedMessage, previousText = 'before') => ({
  type: 'message',
  subtype: 'message_changed',
  hidden: true,
  channel,
  ts: eventTs(),
  message: { type: 'message', ...m, edited: { user: m.user, ts: eventTs() } },
  previous_message: { type: 'message', user: m.user, text: previousText, ts: m.ts },
});

export const messageDeleted = (channel: string, ts: string, user: string) => ({
  type: 'message',
  subtype: 'message_deleted',
  hidden: true,
  channel,
  ts: eventTs(),
  deleted_ts: ts,
  previous_message: { type: 'message', user, text: 'x', ts },
});
