/* One copy of the small text rules every layer uses. Pure; no Slack client here. */

/** Cut to at most `max` characters, marking the cut with an ellipsis. */
export const truncate = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`);

/** Slack's mrkdwn control characters, escaped as Slack documents (`&`, `<`, `>`). */
export const escapeMrkdwn = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack user mention `<@U123>` or `<@U123|name>`; group 1 is the user id. Use with the `g` flag via `new RegExp`. */
export const USER_MENTION_SOURCE = '<@([UW][A-Z0-9]+)(?:\\|[^>]*)?>';
export const userMentions = (text: string): string[] =>
  [...text.matchAll(new RegExp(USER_MENTION_SOURCE, 'g'))].map((m) => m[1]);
/** The whole text is exactly one user mention: its id, else undefined. */
export const soleUserMention = (text: string): string | undefined =>
  new RegExp(`^${USER_MENTION_SOURCE}$`).exec(text.trim())?.[1];
