import { createHmac } from 'node:crypto';

/**
 * Builds and signs requests the way Slack sends them to an app, so the sandbox drives the bot through
 * the same Bolt receiver and signature check as production. (Copied from tests/helpers/slack-signing.ts:
 * product code does not import tests.)
 */

/** Slack still sends the legacy verification token; signed requests make it irrelevant. */
const VERIFICATION_TOKEN = 'sandbox-verification-token';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let counter = 0;
const nextId = (): number => ++counter;

/** `v0=` + hex HMAC-SHA256 over `v0:{timestamp}:{rawBody}`. */
export function computeSlackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function signedHeaders(secret: string, rawBody: string, contentType: string, timestamp = nowSeconds()): Record<string, string> {
  return {
    'Content-Type': contentType,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'X-Slack-Signature': computeSlackSignature(secret, timestamp, rawBody),
    'X-Slack-Request-Timestamp': String(timestamp),
  };
}

/** Who is acting, as Slack puts it in every payload. */
export interface Actor {
  teamId: string;
  teamDomain: string;
  appId: string;
  userId: string;
  userName: string;
  triggerId: string;
}

export interface SlashCommandInput extends Actor {
  channelId: string;
  channelName: string;
  command: string;
  text: string;
  responseUrl: string;
}

/** Slack's slash-command form body, fields in the order Slack sends them. */
export function slashCommandBody(i: SlashCommandInput): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: i.teamId,
    team_domain: i.teamDomain,
    channel_id: i.channelId,
    channel_name: i.channelName,
    user_id: i.userId,
    user_name: i.userName,
    command: i.command,
    text: i.text,
    api_app_id: i.appId,
    is_enterprise_install: 'false',
    response_url: i.responseUrl,
    trigger_id: i.triggerId,
  }).toString();
}

/** Interactivity bodies are a form with one `payload` field holding JSON. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Events API `event_callback` envelope as a JSON string. */
export function eventBody(event: Record<string, unknown>, a: { teamId: string; appId: string; botUserId: string }): string {
  const eventTime = nowSeconds();
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: a.teamId,
    context_team_id: a.teamId,
    context_enterprise_id: null,
    api_app_id: a.appId,
    event: { event_ts: `${eventTime}.${String(nextId()).padStart(6, '0')}`, ...event },
    type: 'event_callback',
    event_id: `Ev0SBX${eventTime.toString(36).toUpperCase()}${String(nextId()).padStart(4, '0')}`,
    event_time: eventTime,
    authorizations: [{ enterprise_id: null, team_id: a.teamId, user_id: a.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-sandbox-${a.teamId}`,
  });
}

function common(a: Actor): Record<string, unknown> {
  return {
    team: { id: a.teamId, domain: a.teamDomain },
    user: { id: a.userId, username: a.userName, name: a.userName, team_id: a.teamId },
    api_app_id: a.appId,
    token: VERIFICATION_TOKEN,
    trigger_id: a.triggerId,
    enterprise: null,
    is_enterprise_install: false,
  };
}

const actionTs = () => `${nowSeconds()}.${String(nextId()).padStart(6, '0')}`;

/** One element the user operated: a button, or a select with its chosen option. */
export interface ActedElement {
  type: string;
  actionId: string;
  blockId: string;
  value?: string;
  text?: string;
  /** What a select reports: `selected_option`, `selected_user`, `selected_conversation`… */
  selection?: Record<string, unknown>;
}

export interface BlockActionsInput extends Actor {
  action: ActedElement;
  channel?: { id: string; name: string };
  /** The message the element lives in (as Slack sends it), or the view. */
  message?: Record<string, unknown> & { ts: string };
  isEphemeral?: boolean;
  view?: Record<string, unknown> & { id: string };
  responseUrl?: string;
}

export function blockActionsPayload(i: BlockActionsInput): Record<string, unknown> {
  const container = i.view
    ? { type: 'view', view_id: i.view.id }
    : { type: 'message', message_ts: i.message?.ts, channel_id: i.channel?.id, is_ephemeral: i.isEphemeral ?? false };
  const a = i.action;
  return {
    type: 'block_actions',
    ...common(i),
    container,
    ...(i.channel ? { channel: i.channel } : {}),
    ...(i.message ? { message: i.message } : {}),
    ...(i.view ? { view: i.view } : {}),
    state: { values: {} },
    ...(i.responseUrl ? { response_url: i.responseUrl } : {}),
    actions: [
      {
        action_id: a.actionId,
        block_id: a.blockId,
        type: a.type,
        action_ts: actionTs(),
        ...(a.type === 'button' ? { text: { type: 'plain_text', text: a.text ?? a.actionId, emoji: true } } : {}),
        ...(a.value !== undefined ? { value: a.value } : {}),
        ...a.selection,
      },
    ],
  };
}

/** view_submission / view_closed: the stored view with the user's state filled in. */
export function viewPayload(type: 'view_submission' | 'view_closed', a: Actor, view: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  return {
    type,
    ...common(a),
    view: { ...view, state: { values } },
    ...(type === 'view_submission' ? { response_urls: [] } : { is_cleared: false }),
  };
}

export interface MessageActionInput extends Actor {
  callbackId: string;
  channel: { id: string; name: string };
  message: Record<string, unknown> & { ts: string };
  responseUrl: string;
}

/** A message shortcut ("More actions" menu on a message). */
export function messageActionPayload(i: MessageActionInput): Record<string, unknown> {
  return {
    type: 'message_action',
    ...common(i),
    callback_id: i.callbackId,
    action_ts: actionTs(),
    message_ts: i.message.ts,
    channel: i.channel,
    message: i.message,
    response_url: i.responseUrl,
  };
}
