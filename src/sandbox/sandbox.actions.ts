import type { FakeChannel } from '../adapters/slack-fake/slack-fake.server';
import { DomainError } from '../shared/domain-error';
import { viewStateValues, type SubmittedValues } from './modal.state';
import type { SandboxWorkspace } from './sandbox.workspace';
import { type ActedElement, blockActionsPayload, eventBody, interactionBody, messageActionPayload, slashCommandBody, viewPayload } from './slack-signing';

/**
 * What a Slack client does when a person types, clicks or reacts: change the workspace the way Slack
 * would and send the app the signed request Slack would send. Each returns a short outcome for the page.
 */

export interface Outcome {
  ok: boolean;
  /** Shown to the user when the bot refused or could not be reached. */
  error?: string;
}

const FORM = 'application/x-www-form-urlencoded' as const;

function requireUser(ws: SandboxWorkspace, userId: string) {
  const u = ws.user(userId);
  if (!u) throw new DomainError('invalid_input', `No sandbox user ${userId}.`);
  return u;
}

function requireChannel(ws: SandboxWorkspace, channelId: string): FakeChannel {
  const c = ws.channel(channelId);
  if (!c) throw new DomainError('not_found', 'That channel does not exist (any more).');
  return c;
}

/** Typing in a channel joins it, as Slack asks you to before you can post. */
function joinIfNeeded(ws: SandboxWorkspace, channel: FakeChannel, userId: string): void {
  if (channel.is_im || channel.members.includes(userId)) return;
  if (channel.is_archived) throw new DomainError('invalid_input', 'This channel is archived.');
  channel.members.push(userId);
  ws.fake.state.systemMessage(channel, 'channel_join', userId, `<@${userId}> has joined the channel`);
}

const channelName = (c: FakeChannel) => (c.is_im ? 'directmessage' : c.name);

function badStatus(what: string, status: number): Outcome {
  return { ok: false, error: `The bot answered ${what} with HTTP ${status}.` };
}

/** The composer: `/command args` is a slash command, anything else a plain message. */
export async function sendText(ws: SandboxWorkspace, userId: string, channelId: string, text: string): Promise<Outcome> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true };
  const m = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i.exec(trimmed);
  if (m) return slashCommand(ws, userId, channelId, m[1].toLowerCase(), m[2]?.trim() ?? '');
  const user = requireUser(ws, userId);
  const channel = requireChannel(ws, channelId);
  joinIfNeeded(ws, channel, user.id);
  ws.fake.state.appendMessage(channel, { type: 'message', ts: ws.fake.state.nextTs(), user: user.id, team: ws.teamId, text: trimmed });
  ws.changed();
  return { ok: true };
}

export async function slashCommand(ws: SandboxWorkspace, userId: string, channelId: string, command: string, text: string): Promise<Outcome> {
  const user = requireUser(ws, userId);
  const channel = requireChannel(ws, channelId);
  if (command !== '/incident') {
    ws.team.ephemerals.push({ channel: channel.id, user: user.id, ts: ws.fake.state.nextTs(), text: `\`${command}\` is not a valid command. This workspace only has \`/incident\`.` });
    ws.changed();
    return { ok: true };
  }
  joinIfNeeded(ws, channel, user.id);
  const response = ws.responseUrl({ channelId: channel.id, userId: user.id });
  const body = slashCommandBody({ ...ws.actor(user.id), channelId: channel.id, channelName: channelName(channel), command, text, responseUrl: response.url });
  const res = await ws.post(body, FORM);
  if (res.status !== 200) return badStatus(command, res.status);
  const ack = typeof res.body === 'object' && res.body !== null ? (res.body as { response_type?: string; text?: string; blocks?: unknown[] }) : undefined;
  if (ack && (ack.text || ack.blocks)) {
    if (ack.response_type === 'in_channel') {
      // Slack shows the invocation to everyone along with an in-channel answer.
      ws.fake.state.appendMessage(channel, { type: 'message', ts: ws.fake.state.nextTs(), user: user.id, team: ws.teamId, text: `${command} ${text}`.trim() });
      ws.fake.state.appendMessage(channel, { type: 'message', ts: ws.fake.state.nextTs(), user: ws.team.botUserId, bot_id: ws.team.botId, app_id: ws.team.appId, team: ws.teamId, text: ack.text ?? '', ...(ack.blocks ? { blocks: ack.blocks } : {}) });
      ws.changed();
    } else {
      ws.addAckEphemeral(response.id, { channel: channel.id, user: user.id, text: ack.text ?? '', ...(ack.blocks ? { blocks: ack.blocks } : {}) });
    }
  }
  return { ok: true };
}

export interface ElementInput {
  channelId?: string;
  ts?: string;
  ephemeral?: boolean;
  viewId?: string;
  type: string;
  actionId: string;
  blockId: string;
  value?: string;
  text?: string;
  selected?: { value: string; text: string };
}

/** Each select type reports its choice under its own key, as Slack does. */
function selectionOf(el: ElementInput): Record<string, unknown> | undefined {
  const v = el.selected?.value;
  if (v === undefined) return undefined;
  switch (el.type) {
    case 'users_select':
      return { selected_user: v };
    case 'conversations_select':
      return { selected_conversation: v };
    case 'channels_select':
      return { selected_channel: v };
    default:
      return { selected_option: { text: { type: 'plain_text', text: el.selected?.text ?? v, emoji: true }, value: v } };
  }
}

/** A button press or a select choice in a message, an ephemeral or a view. */
export async function blockAction(ws: SandboxWorkspace, userId: string, el: ElementInput): Promise<Outcome> {
  const user = requireUser(ws, userId);
  const action: ActedElement = { type: el.type, actionId: el.actionId, blockId: el.blockId, value: el.value, text: el.text, selection: selectionOf(el) };
  let payload: Record<string, unknown>;
  if (el.viewId) {
    const view = ws.team.views.get(el.viewId) ?? [...ws.team.homeTabs.values()].find((r) => r.view.id === el.viewId);
    if (!view) throw new DomainError('not_found', 'That view is gone.');
    payload = blockActionsPayload({ ...ws.actor(user.id), action, view: view.view as Record<string, unknown> & { id: string } });
  } else {
    const channel = requireChannel(ws, el.channelId ?? '');
    const ts = el.ts ?? '';
    const stored = el.ephemeral ? ws.team.ephemerals.find((e) => e.ts === ts && e.user === user.id) : ws.message(channel, ts);
    if (!stored) throw new DomainError('not_found', 'That message is gone.');
    const message = el.ephemeral ? { type: 'message', ts, text: stored.text, ...('blocks' in stored && stored.blocks ? { blocks: stored.blocks } : {}) } : structuredClone(stored);
    const response = ws.responseUrl({ channelId: channel.id, userId: user.id, ...(el.ephemeral ? {} : { messageTs: ts }) });
    if (el.ephemeral) ws.replaceableBy(response.id, ts);
    payload = blockActionsPayload({ ...ws.actor(user.id), action, channel: { id: channel.id, name: channelName(channel) }, message: message as Record<string, unknown> & { ts: string }, isEphemeral: el.ephemeral, responseUrl: response.url });
  }
  const res = await ws.post(interactionBody(payload), FORM);
  return res.status === 200 ? { ok: true } : badStatus('the click', res.status);
}

/** The modal for this user that is still open, newest first (Slack shows the top of the stack). */
export function openModalFor(ws: SandboxWorkspace, userId: string) {
  const mine = [...ws.team.views.values()].filter((r) => r.userId === userId && r.view.type === 'modal' && !ws.closedViews.has(String(r.view.id)));
  return mine.at(-1);
}

export async function submitView(ws: SandboxWorkspace, userId: string, viewId: string, submitted: SubmittedValues): Promise<Outcome & { closed?: boolean }> {
  const user = requireUser(ws, userId);
  const rec = ws.team.views.get(viewId);
  if (!rec || rec.userId !== user.id) throw new DomainError('not_found', 'That form is no longer open.');
  const { values, errors } = viewStateValues(rec.view, submitted);
  if (Object.keys(errors).length > 0) {
    ws.viewErrors.set(viewId, errors);
    ws.changed();
    return { ok: true, closed: false };
  }
  const res = await ws.post(interactionBody(viewPayload('view_submission', ws.actor(user.id), rec.view, values)), FORM);
  if (res.status !== 200) return badStatus('the form', res.status);
  const ack = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as { response_action?: string; errors?: Record<string, string>; view?: Record<string, unknown> };
  switch (ack.response_action) {
    case 'errors':
      ws.viewErrors.set(viewId, ack.errors ?? {});
      ws.changed();
      return { ok: true, closed: false };
    case 'update':
      if (ack.view) rec.view = { ...rec.view, ...ack.view, id: rec.view.id };
      ws.viewErrors.delete(viewId);
      ws.changed();
      return { ok: true, closed: false };
    case 'push':
      // A pushed view would need the fake's stack; show the pushed content in place instead.
      if (ack.view) rec.view = { ...rec.view, ...ack.view, id: rec.view.id };
      ws.changed();
      return { ok: true, closed: false };
    default:
      ws.closedViews.add(viewId);
      ws.viewErrors.delete(viewId);
      ws.changed();
      return { ok: true, closed: true };
  }
}

/** Cancel: close, and tell the app only when the view asked (`notify_on_close`). */
export async function closeView(ws: SandboxWorkspace, userId: string, viewId: string): Promise<Outcome> {
  const rec = ws.team.views.get(viewId);
  ws.closedViews.add(viewId);
  ws.viewErrors.delete(viewId);
  ws.changed();
  if (rec?.view.notify_on_close === true) {
    const res = await ws.post(interactionBody(viewPayload('view_closed', ws.actor(userId), rec.view, {})), FORM);
    if (res.status !== 200) return badStatus('closing the form', res.status);
  }
  return { ok: true };
}

/** A message shortcut from the message's "More actions" menu. */
export async function messageShortcut(ws: SandboxWorkspace, userId: string, channelId: string, ts: string, callbackId: string): Promise<Outcome> {
  const user = requireUser(ws, userId);
  const channel = requireChannel(ws, channelId);
  const message = ws.message(channel, ts);
  if (!message) throw new DomainError('not_found', 'That message is gone.');
  const response = ws.responseUrl({ channelId: channel.id, userId: user.id });
  const payload = messageActionPayload({ ...ws.actor(user.id), callbackId, channel: { id: channel.id, name: channelName(channel) }, message: structuredClone(message) as unknown as Record<string, unknown> & { ts: string }, responseUrl: response.url });
  const res = await ws.post(interactionBody(payload), FORM);
  return res.status === 200 ? { ok: true } : badStatus('the shortcut', res.status);
}

/** Adds the reaction (as Slack would) and delivers `reaction_added` to the app. */
export async function react(ws: SandboxWorkspace, userId: string, channelId: string, ts: string, name: string): Promise<Outcome> {
  const user = requireUser(ws, userId);
  const channel = requireChannel(ws, channelId);
  const message = ws.message(channel, ts);
  if (!message) throw new DomainError('not_found', 'That message is gone.');
  const reactions = (message.reactions ??= []);
  const existing = reactions.find((r) => r.name === name);
  if (existing?.users.includes(user.id)) return { ok: true }; // Slack sends nothing for a reaction you already gave
  if (existing) {
    existing.users.push(user.id);
    existing.count += 1;
  } else reactions.push({ name, users: [user.id], count: 1 });
  ws.changed();
  const event = { type: 'reaction_added', user: user.id, reaction: name, item: { type: 'message', channel: channel.id, ts }, item_user: message.user };
  const res = await ws.post(eventBody(event, { teamId: ws.teamId, appId: ws.team.appId, botUserId: ws.team.botUserId }), 'application/json');
  return res.status === 200 ? { ok: true } : badStatus('the reaction', res.status);
}

/** Opening the app's Home tab: Slack sends `app_home_opened` and shows whatever the app published. */
export async function openHome(ws: SandboxWorkspace, userId: string): Promise<Outcome> {
  const user = requireUser(ws, userId);
  const event = { type: 'app_home_opened', user: user.id, channel: ws.fake.state.imWith(ws.team, user.id).id, tab: 'home' };
  const res = await ws.post(eventBody(event, { teamId: ws.teamId, appId: ws.team.appId, botUserId: ws.team.botUserId }), 'application/json');
  return res.status === 200 ? { ok: true } : badStatus('opening Home', res.status);
}

export function dismissEphemeral(ws: SandboxWorkspace, userId: string, ts: string): Outcome {
  const list = ws.team.ephemerals;
  const i = list.findIndex((e) => e.ts === ts && e.user === userId);
  if (i >= 0) list.splice(i, 1);
  ws.changed();
  return { ok: true };
}
