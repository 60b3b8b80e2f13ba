import type { Child } from 'hono/jsx';

/**
 * User text in the console. hono/jsx escapes every string child and attribute, so the only way in for
 * markup is a link: only http(s) URLs become `<a href>`, anything else (javascript:, data:…) stays text.
 */
export const safeHref = (url: string): string | undefined => (/^https?:\/\/[^\s]+$/i.test(url) ? url : undefined);

/** Slack escapes these three in message text; undo it before rendering (jsx escapes again). */
const unescapeSlack = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Slack mrkdwn as plain inline nodes: `<@U1>` mentions, `<#C1|name>` channels, `<url|label>` links. */
export function Mrkdwn({ text, names }: { text: string; names?: Record<string, string> }) {
  const out: Child[] = [];
  const re = /<([^<>]+)>/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(unescapeSlack(text.slice(last, m.index)));
    last = m.index + m[0].length;
    const [target, label] = splitOnce(m[1], '|');
    if (/^@[UW][A-Z0-9]+$/.test(target)) out.push(<span class="mention">@{names?.[target.slice(1)] ?? label ?? target.slice(1)}</span>);
    else if (/^#C[A-Z0-9]+$/.test(target)) out.push(`#${label ?? target.slice(1)}`);
    else if (/^!(here|channel|everyone)$/.test(target)) out.push(`@${target.slice(1)}`);
    else {
      const href = safeHref(unescapeSlack(target));
      const shown = unescapeSlack(label ?? target);
      out.push(href ? <a href={href} rel="noopener noreferrer nofollow">{shown}</a> : shown);
    }
  }
  if (last < text.length) out.push(unescapeSlack(text.slice(last)));
  return <>{out}</>;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Inline Markdown: `code`, **bold**, *em* or _em_, [label](url) with the same link rule. */
function Inline({ text }: { text: string }) {
  const out: Child[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(?<![\w*])[*_]([^*_]+)[*_](?![\w*])/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] !== undefined) out.push(<code>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong>{m[2]}</strong>);
    else if (m[3] !== undefined) {
      const href = safeHref(m[4]);
      out.push(href ? <a href={href} rel="noopener noreferrer nofollow">{m[3]}</a> : `${m[3]} (${m[4]})`);
    } else out.push(<em>{m[5]}</em>);
  }
  if (last < text.length) out.push(text.slice(last));
  return <>{out}</>;
}

/**
 * Postmortem Markdown, rendered safely: headings, paragraphs, lists, fenced code, tables as rows and
 * quotes. Raw HTML in the source is shown as text, never interpreted.
 */
export function Markdown({ source }: { source: string }) {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Child[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const body: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) body.push(lines[i]);
      i++;
      blocks.push(
        <pre>
          <code>{body.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      // The page has its own h1; document headings start at h2.
      const level = Math.min(6, h[1].length + 1);
      const Tag = `h${level}` as 'h2';
      blocks.push(<Tag>{<Inline text={h[2]} />}</Tag>);
      i++;
      continue;
    }
    if (/^\s*([-*+]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*+]|\d+\.)\s+/.test(lines[i]); i++) items.push(lines[i].replace(/^\s*([-*+]|\d+\.)\s+/, ''));
      const lis = items.map((t) => (
        <li>
          <Inline text={t.replace(/^\[( |x)\]\s*/i, (_, x: string) => (x === ' ' ? '☐ ' : '☑ '))} />
        </li>
      ));
      blocks.push(ordered ? <ol>{lis}</ol> : <ul>{lis}</ul>);
      continue;
    }
    if (/^\|.*\|\s*$/.test(line)) {
      const rows: string[][] = [];
      for (; i < lines.length && /^\|.*\|\s*$/.test(lines[i]); i++) {
        if (/^\|[\s:|-]+\|\s*$/.test(lines[i])) continue;
        rows.push(lines[i].trim().slice(1, -1).split('|').map((c) => c.trim()));
      }
      const [head, ...body] = rows;
      blocks.push(
        <table class="md-table">
          <thead>
            <tr>{head.map((c) => <th scope="col"><Inline text={c} /></th>)}</tr>
          </thead>
          <tbody>{body.map((r) => <tr>{r.map((c) => <td><Inline text={c} /></td>)}</tr>)}</tbody>
        </table>,
      );
      continue;
    }
    if (/^>\s?/.test(line)) {
      const q: string[] = [];
      for (; i < lines.length && /^>\s?/.test(lines[i]); i++) q.push(lines[i].replace(/^>\s?/, ''));
      blocks.push(<blockquote><Inline text={q.join(' ')} /></blockquote>);
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    // The first line always belongs to the paragraph (a stray `|` or `#x` must not stall the loop).
    const para: string[] = [lines[i++]];
    for (; i < lines.length && lines[i].trim() !== '' && !/^(#{1,6}\s|```|\s*([-*+]|\d+\.)\s|\||>)/.test(lines[i]); i++) para.push(lines[i]);
    blocks.push(<p><Inline text={para.join(' ')} /></p>);
  }
  return <div class="markdown">{blocks}</div>;
}
