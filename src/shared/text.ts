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

// Format (Cf: zero-width, bidi controls, BOM, soft hyphen) and control (Cc) characters render as nothing.
const INVISIBLE_RE = /[\p{Cf}\p{Cc}\s]/gu;
/** True when nothing visible is left: empty, whitespace, or only zero-width/format/control characters. */
export const isBlank = (s: string | undefined | null): boolean => (s ?? '').replace(INVISIBLE_RE, '') === '';

/** C0/C1 control characters except tab and newline (Postgres text refuses NUL; none of them renders). */
const CONTROL_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
export const stripControl = (s: string): string => s.replace(CONTROL_RE, '');

/**
 * Untrusted text (alerts, people's notes, model output) made safe for a Slack mrkdwn field, as Slack
 * documents: `&`, `<` and `>` are escaped, so `<!everyone>`, `<!here>`, `<!channel>`, user-group
 * mentions `<!subteam^…>`, dates and disguised links `<http://evil|Click here>` show as plain text and
 * never notify or hide a target. Product choice: a user mention `<@U…>` and a channel link `<#C…>` are
 * kept (a person can ping one colleague, or point at a channel, anyway; broadcasts are what we refuse to
 * relay). Entities Slack already escaped (`&amp;`, `&lt;`, `&gt;`) are kept as they are, so text
 * escaped by Slack (slash commands, events) or by us is not escaped twice: the function is idempotent.
 */
export function untrustedMrkdwn(text: string): string {
  return stripControl(text)
    .split(KEPT_TOKEN_RE)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/&(?!(?:amp|lt|gt);)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}
/** `<@U…>`, `<@U…|label>`, `<#C…>`, `<#C…|label>` (labels without `<`, `>` or `|`), captured whole. */
const KEPT_TOKEN_RE = /(<@[UW][A-Z0-9]{1,20}(?:\|[^<>|]{0,80})?>|<#[CG][A-Z0-9]{1,20}(?:\|[^<>|]{0,80})?>)/;

/**
 * Cut mrkdwn to at most `max` characters without leaving half an entity (`&am`) or half a mention
 * (`<@U12`) behind, which Slack would render as garbage or an unclosed link.
 */
export function clipMrkdwn(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, Math.max(0, max - 1)).replace(/&[a-z]{0,3}$/, '').replace(/<[^>]*$/, '');
  return `${dropLoneSurrogate(cut)}…`;
}
const dropLoneSurrogate = (s: string): string => (/[\uD800-\uDBFF]$/.test(s) ? s.slice(0, -1) : s);
