import type { FakeChannel, FakeEphemeral, FakeMessage, FakeUser } from '../adapters/slack-fake/slack-fake.server';
import { blocksToHtml, type Directory } from './block-kit.html';
import { escapeHtml, mrkdwnToHtml, plainToHtml, type RenderContext } from './mrkdwn.html';
import { openModalFor } from './sandbox.actions';
import type { SandboxWorkspace } from './sandbox.workspace';

/** The page's moving parts as HTML fragments, rendered from the fake's state for one user and one channel. */

export const HOME = 'app-home';

export interface Fragments {
  sidebar: string;
  header: string;
  messages: string;
  /** Changes only when the modal itself changes, so the page keeps what the user is typing. */
  modalKey: string;
  modal: string;
  composer: { enabled: boolean; placeholder: string };
}

const attr = (s: string) => escapeHtml(s);

export function renderContext(ws: SandboxWorkspace, viewer: FakeUser | undefined): RenderContext {
  return {
    userName: (id) => {
      const u = ws.team.users.get(id);
      return u ? (u.isBot ? u.name : u.realName) : id;
    },
    channelName: (id) => ws.channel(id)?.name,
    tz: viewer?.tz ?? 'UTC',
    now: new Date(),
  };
}

export function directory(ws: SandboxWorkspace): Directory {
  return {
    users: ws.humans().map((u) => ({ text: u.realName, value: u.id })),
    channels: [...ws.team.channels.values()].filter((c) => !c.is_im && !c.is_archived).map((c) => ({ text: `#${c.name}`, value: c.id })),
  };
}

/** Channels a user sees in the sidebar: public ones, and private ones they belong to. */
export function visibleChannels(ws: SandboxWorkspace, userId: string): FakeChannel[] {
  return [...ws.team.channels.values()]
    .filter((c) => !c.is_im && (!c.is_private || c.members.includes(userId)))
    .sort((a, b) => Number(a.is_archived) - Number(b.is_archived) || a.name.localeCompare(b.name));
}

export function dmWith(ws: SandboxWorkspace, userId: string): FakeChannel | undefined {
  return [...ws.team.channels.values()].find((c) => c.is_im && c.imUser === userId);
}

function sidebar(ws: SandboxWorkspace, userId: string, current: string): string {
  const item = (id: string, label: string, extra = '') =>
    `<a href="#" class="side-item${id === current ? ' active' : ''}${extra}" data-channel="${attr(id)}">${label}</a>`;
  const channels = visibleChannels(ws, userId).map((c) => {
    const icon = c.is_private ? '🔒' : '#';
    const incident = /^inc-\d+/.test(c.name) ? ' incident' : '';
    return item(c.id, `<span class="hash">${icon}</span>${escapeHtml(c.name)}${c.is_archived ? ' <span class="muted">(archived)</span>' : ''}`, `${incident}${c.is_archived ? ' archived' : ''}`);
  });
  const dm = dmWith(ws, userId);
  return [
    '<div class="side-section">Channels</div>',
    ...channels,
    '<div class="side-section">Apps</div>',
    item(HOME, '<span class="hash app">R</span>Revenant <span class="muted">Home</span>'),
    ...(dm ? [item(dm.id, '<span class="hash app">R</span>Revenant <span class="muted">Messages</span>')] : []),
  ].join('');
}

const timeOf = (ts: string, tz: string) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(new Date(Number(ts) * 1000));

function avatar(ws: SandboxWorkspace, userId: string): string {
  const u = ws.team.users.get(userId);
  if (u?.isBot) return '<div class="avatar bot">R</div>';
  const name = u?.realName ?? userId;
  const hue = [...userId].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 360, 7);
  return `<div class="avatar" style="background:hsl(${hue} 45% 45%)">${escapeHtml(name.charAt(0).toUpperCase())}</div>`;
}

function body(m: { text: string; blocks?: unknown[]; attachments?: unknown[] }, ctx: RenderContext, dir: Directory): string {
  const blocks = Array.isArray(m.blocks) && m.blocks.length > 0 ? blocksToHtml(m.blocks, ctx, dir) : `<div class="bk-text">${mrkdwnToHtml(m.text, ctx)}</div>`;
  const atts = (m.attachments ?? [])
    .map((a) => a as { color?: string; text?: string; blocks?: unknown[]; fallback?: string })
    .map((a) => `<div class="attachment" style="border-color:${attr(a.color ?? '#ddd')}">${Array.isArray(a.blocks) ? blocksToHtml(a.blocks, ctx, dir) : mrkdwnToHtml(a.text ?? a.fallback ?? '', ctx)}</div>`)
    .join('');
  return blocks + atts;
}

function reactions(m: FakeMessage): string {
  if (!m.reactions?.length) return '';
  const chips = m.reactions.map((r) => `<span class="reaction" title="${attr(r.users.join(', '))}">${plainToHtml(`:${r.name}:`)} ${r.count}</span>`);
  return `<div class="reactions">${chips.join('')}</div>`;
}

function messageHtml(ws: SandboxWorkspace, channel: FakeChannel, m: FakeMessage, ctx: RenderContext, dir: Directory, replies: FakeMessage[]): string {
  const author = ws.team.users.get(m.user);
  if (m.subtype?.startsWith('channel_')) {
    return `<div class="msg system" data-ts="${attr(m.ts)}"><span class="time">${timeOf(m.ts, ctx.tz)}</span> ${mrkdwnToHtml(m.text, ctx)}</div>`;
  }
  const pinned = m.pinned_to?.includes(channel.id) ? '<div class="pinned">📌 Pinned</div>' : '';
  const name = author?.isBot ? `${escapeHtml(author.name)} <span class="app-badge">APP</span>` : escapeHtml(author?.realName ?? m.user);
  const edited = m.edited ? ' <span class="muted">(edited)</span>' : '';
  const thread = replies.length
    ? `<details class="thread" data-thread="${attr(m.ts)}"><summary>${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</summary>${replies.map((r) => messageHtml(ws, channel, r, ctx, dir, [])).join('')}</details>`
    : '';
  const tools = channel.is_im
    ? ''
    : `<div class="msg-tools"><button type="button" class="tool" data-react="pushpin" title="React with :pushpin:">📌</button><button type="button" class="tool" data-menu title="More actions">⋯</button><div class="menu" hidden><button type="button" data-shortcut="add_to_timeline">Add to incident timeline</button></div></div>`;
  return `<div class="msg${m.pinned_to?.includes(channel.id) ? ' is-pinned' : ''}" data-ts="${attr(m.ts)}" data-channel="${attr(channel.id)}">${avatar(ws, m.user)}<div class="msg-body">${pinned}<div class="msg-head"><span class="author">${name}</span> <span class="time">${timeOf(m.ts, ctx.tz)}</span>${edited}</div>${body(m, ctx, dir)}${reactions(m)}${thread}</div>${tools}</div>`;
}

function ephemeralHtml(ws: SandboxWorkspace, channel: FakeChannel, e: FakeEphemeral, ctx: RenderContext, dir: Directory): string {
  return `<div class="msg ephemeral" data-ts="${attr(e.ts)}" data-channel="${attr(channel.id)}" data-ephemeral="1">${avatar(ws, ws.team.botUserId)}<div class="msg-body"><div class="msg-head"><span class="author">revenant <span class="app-badge">APP</span></span> <span class="time">${timeOf(e.ts, ctx.tz)}</span> <span class="only-you">Only visible to you</span> <a href="#" class="dismiss" data-dismiss="${attr(e.ts)}">Dismiss</a></div>${body(e, ctx, dir)}</div></div>`;
}

const isTopLevel = (m: FakeMessage) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast';

function channelMessages(ws: SandboxWorkspace, channel: FakeChannel, userId: string, ctx: RenderContext, dir: Directory): string {
  const top = channel.messages.filter(isTopLevel);
  const eph = ws.team.ephemerals.filter((e) => e.channel === channel.id && e.user === userId && !e.thread_ts);
  const items: Array<{ ts: string; html: () => string }> = [
    ...top.map((m) => ({ ts: m.ts, html: () => messageHtml(ws, channel, m, ctx, dir, channel.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts)) })),
    ...eph.map((e) => ({ ts: e.ts, html: () => ephemeralHtml(ws, channel, e, ctx, dir) })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
  if (items.length === 0) {
    return '<div class="empty">No messages yet.<br>Type <code>/incident declare sev2 Checkout is slow</code> below to open an incident, or <code>/incident help</code> for every command.<br>Switch people at the top right; fire sample alerts from the Alerts panel.</div>';
  }
  return items.map((i) => i.html()).join('');
}

function header(ws: SandboxWorkspace, channel: FakeChannel | undefined, current: string): string {
  if (current === HOME) return '<div class="ch-name">Revenant — Home</div><div class="ch-topic">What the app published for you (App Home).</div>';
  if (!channel) return '<div class="ch-name">Channel not found</div>';
  if (channel.is_im) return '<div class="ch-name">Revenant — Messages</div><div class="ch-topic">Direct messages from the app.</div>';
  const topic = channel.topic.value || channel.purpose.value;
  const members = channel.members.filter((m) => m !== ws.team.botUserId).length;
  const facts = [`${members} member${members === 1 ? '' : 's'}`, ...(channel.pins.length ? [`<a href="#" data-scroll-pinned>${channel.pins.length} pinned</a>`] : [])].join(' · ');
  const about = topic ? `${mrkdwnToHtml(topic, renderContext(ws, undefined))} · ` : '';
  return `<div class="ch-name">${channel.is_private ? '🔒' : '#'}${escapeHtml(channel.name)}${channel.is_archived ? ' <span class="muted">(archived)</span>' : ''}</div><div class="ch-topic">${about}<span class="muted">${facts}</span></div>`;
}

function modal(ws: SandboxWorkspace, userId: string, ctx: RenderContext, dir: Directory): { key: string; html: string } {
  const rec = openModalFor(ws, userId);
  if (!rec) return { key: '', html: '' };
  const v = rec.view as Record<string, unknown> & { id: string };
  const errors = ws.viewErrors.get(v.id) ?? {};
  const key = `${v.id}:${String(v.hash)}:${JSON.stringify(errors)}`;
  const title = (v.title as { text?: string } | undefined)?.text ?? 'Form';
  const submit = (v.submit as { text?: string } | null | undefined)?.text;
  const close = (v.close as { text?: string } | null | undefined)?.text ?? 'Cancel';
  const blocks = Array.isArray(v.blocks) ? v.blocks : [];
  const html = `<form class="modal" data-view-id="${attr(v.id)}"><div class="modal-title">${plainToHtml(title)}</div><div class="modal-body">${blocksToHtml(blocks, ctx, dir, { errors })}</div><div class="modal-foot"><button type="button" class="btn" data-close-view>${plainToHtml(close)}</button>${submit ? `<button type="submit" class="btn btn-primary">${plainToHtml(submit)}</button>` : ''}</div></form>`;
  return { key, html };
}

export function renderFragments(ws: SandboxWorkspace, userId: string, current: string): Fragments {
  const viewer = ws.user(userId);
  const ctx = renderContext(ws, viewer);
  const dir = directory(ws);
  const channel = current === HOME ? undefined : ws.channel(current);
  let messages: string;
  if (current === HOME) {
    const home = ws.team.homeTabs.get(userId);
    messages = home ? `<div class="home" data-view-id="${attr(String(home.view.id))}">${blocksToHtml(Array.isArray(home.view.blocks) ? home.view.blocks : [], ctx, dir)}</div>` : '<div class="empty">Opening Home…</div>';
  } else messages = channel ? channelMessages(ws, channel, userId, ctx, dir) : '<div class="empty">This channel does not exist. Pick another one on the left.</div>';
  const m = modal(ws, userId, ctx, dir);
  const enabled = !!channel && !channel.is_archived;
  return {
    sidebar: sidebar(ws, userId, current),
    header: header(ws, channel, current),
    messages,
    modalKey: m.key,
    modal: m.html,
    composer: { enabled, placeholder: enabled ? `Message ${channel?.is_im ? 'Revenant' : `#${channel?.name}`} — or type /incident help` : 'Home is read-only' },
  };
}
