/**
 * Slack mrkdwn → HTML for the sandbox page. Pure: names and time zone come from the caller.
 * Covers what bots send in practice: *bold*, _italic_, ~strike~, `code`, ``` blocks ```, > quotes,
 * <@user>, <#channel>, <!date^…>, <url|label>, :emoji: and Slack's &lt; &gt; &amp; escapes.
 */

export interface RenderContext {
  userName(id: string): string;
  channelName(id: string): string | undefined;
  /** The reader's IANA time zone: Slack renders <!date> per reader. */
  tz: string;
  now: Date;
}

const EMOJI: Record<string, string> = {
  rotating_light: '🚨', red_circle: '🔴', large_orange_circle: '🟠', large_yellow_circle: '🟡', large_green_circle: '🟢',
  large_blue_circle: '🔵', white_circle: '⚪', white_check_mark: '✅', heavy_check_mark: '✔️', ballot_box_with_check: '☑️',
  tada: '🎉', memory: '🧠', memo: '📝', loudspeaker: '📢', mega: '📣', x: '❌', warning: '⚠️', pushpin: '📌',
  page_facing_up: '📄', no_entry_sign: '🚫', no_entry: '⛔', mag: '🔍', mag_right: '🔎', hourglass_flowing_sand: '⏳',
  hourglass: '⌛', fire: '🔥', adhesive_bandage: '🩹', eyes: '👀', bell: '🔔', bulb: '💡', link: '🔗', lock: '🔒',
  chart_with_upwards_trend: '📈', chart_with_downwards_trend: '📉', bar_chart: '📊', clipboard: '📋', calendar: '📅',
  clock1: '🕐', stopwatch: '⏱️', robot_face: '🤖', wrench: '🔧', hammer_and_wrench: '🛠️', gear: '⚙️', books: '📚',
  book: '📖', sparkles: '✨', thumbsup: '👍', '+1': '👍', thumbsdown: '👎', '-1': '👎', question: '❓', grey_question: '❔',
  exclamation: '❗', information_source: 'ℹ️', arrow_right: '➡️', arrow_up: '⬆️', arrow_down: '⬇️', recycle: '♻️',
  shield: '🛡️', siren: '🚨', ambulance: '🚑', sos: '🆘', satellite_antenna: '📡', telephone_receiver: '📞',
  busts_in_silhouette: '👥', bust_in_silhouette: '👤', speech_balloon: '💬', thread: '🧵', scroll: '📜',
  heavy_plus_sign: '➕', heavy_minus_sign: '➖', small_red_triangle: '🔺', small_red_triangle_down: '🔻', new: '🆕',
  checkered_flag: '🏁', crossed_fingers: '🤞', construction: '🚧', rocket: '🚀', zap: '⚡', boom: '💥', ok: '🆗',
};

export const emojiFor = (name: string): string | undefined => EMOJI[name];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Slack escapes only these three in message text. */
const unslack = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const safeUrl = (u: string) => /^(https?:|mailto:)/i.test(u);

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}

function dayKey(d: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

function ago(d: Date, now: Date): string {
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  const abs = Math.abs(s);
  const [n, unit] = abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.round(abs / 60), 'minute'] : abs < 86400 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86400), 'day'];
  const phrase = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return s >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

/** Slack's `<!date^seconds^{token} …|fallback>` tokens, rendered in the reader's zone. */
export function formatSlackDate(seconds: number, format: string, ctx: Pick<RenderContext, 'tz' | 'now'>): string {
  const d = new Date(seconds * 1000);
  const tz = ctx.tz;
  const part = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: tz, ...o }).format(d);
  const day = Number(part({ day: 'numeric' }));
  const plain = {
    date: () => `${part({ month: 'long' })} ${ordinal(day)}, ${part({ year: 'numeric' })}`,
    date_short: () => part({ month: 'short', day: 'numeric', year: 'numeric' }),
    date_long: () => `${part({ weekday: 'long' })}, ${part({ month: 'long' })} ${ordinal(day)}, ${part({ year: 'numeric' })}`,
  };
  const pretty = (fallback: () => string) => () => {
    const today = dayKey(ctx.now, tz);
    const key = dayKey(d, tz);
    if (key === today) return 'Today';
    if (key === dayKey(new Date(ctx.now.getTime() - 86_400_000), tz)) return 'Yesterday';
    if (key === dayKey(new Date(ctx.now.getTime() + 86_400_000), tz)) return 'Tomorrow';
    return fallback();
  };
  const tokens: Record<string, () => string> = {
    date_num: () => dayKey(d, tz),
    ...plain,
    date_pretty: pretty(plain.date),
    date_short_pretty: pretty(plain.date_short),
    date_long_pretty: pretty(plain.date_long),
    time: () => part({ hour: 'numeric', minute: '2-digit' }),
    time_secs: () => part({ hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    ago: () => ago(d, ctx.now),
  };
  return format.replace(/\{(\w+)\}/g, (m, t: string) => (tokens[t] ? tokens[t]() : m));
}

/** One `<…>` construct → HTML. */
function angle(inner: string, ctx: RenderContext): string {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(ctx.userName(id) || label || id)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = ctx.channelName(id) ?? label ?? id;
    return `<a class="mention channel-link" href="#" data-channel="${escapeHtml(id)}">#${escapeHtml(name)}</a>`;
  }
  if (target.startsWith('!date^')) {
    const [, secs, format] = target.split('^');
    const n = Number(secs);
    const text = Number.isFinite(n) ? formatSlackDate(n, format ?? '{date_short} {time}', ctx) : unslack(label ?? '');
    return `<time title="${escapeHtml(unslack(label ?? ''))}">${escapeHtml(text)}</time>`;
  }
  if (target.startsWith('!subteam^')) return `<span class="mention">@${escapeHtml(label ?? 'group')}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const url = unslack(target);
  const text = unslack(label ?? target);
  if (!safeUrl(url)) return escapeHtml(text);
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

const EDGE_BEFORE = '(^|[\\s(\\[{"\'>\\u0001])';
const EDGE_AFTER = '(?=$|[\\s)\\]}.,!?;:"\'<\\u0001])';
const style = (mark: string, tag: string) => (s: string) =>
  s.replace(new RegExp(`${EDGE_BEFORE}\\${mark}([^\\${mark}\\n]+?)\\${mark}${EDGE_AFTER}`, 'g'), `$1<${tag}>$2</${tag}>`);
const bold = style('*', 'b');
const italic = style('_', 'i');
const strike = style('~', 's');

/** Formats text that holds no code: placeholders keep generated HTML away from the escaping and styling. */
function inline(text: string, ctx: RenderContext): string {
  const held: string[] = [];
  const hold = (html: string) => `\u0001${held.push(html) - 1}\u0001`;
  let s = text.replace(/<([^<>\n]+)>/g, (_, inner: string) => hold(angle(inner, ctx)));
  s = escapeHtml(unslack(s));
  s = s.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
  s = strike(italic(bold(s)));
  return s.replace(/\u0001(\d+)\u0001/g, (_, i: string) => held[Number(i)]);
}

function paragraphs(text: string, ctx: RenderContext): string {
  // Inline `code` first, so its contents stay literal.
  const parts = text.split(/(`[^`\n]+`)/g);
  const html = parts.map((p) => (p.length > 2 && p.startsWith('`') && p.endsWith('`') ? `<code>${escapeHtml(unslack(p.slice(1, -1)))}</code>` : inline(p, ctx))).join('');
  const lines = html.split('\n');
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (quote.length) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of lines) {
    const m = /^&gt;\s?(.*)$/.exec(line);
    if (m) quote.push(m[1]);
    else {
      flush();
      out.push(`${line}<br>`);
    }
  }
  flush();
  return out.join('').replace(/<br>$/, '');
}

export function mrkdwnToHtml(text: string, ctx: RenderContext): string {
  const parts = text.split(/```/);
  return parts
    .map((p, i) => (i % 2 === 1 && i < parts.length - 1 ? `<pre>${escapeHtml(unslack(p.replace(/^\n/, '')))}</pre>` : paragraphs(p, ctx)))
    .join('');
}

/** plain_text objects: escaped, with :emoji: when `emoji` is not false. */
export function plainToHtml(text: string, emoji = true): string {
  const s = escapeHtml(text);
  return emoji ? s.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m) : s;
}
