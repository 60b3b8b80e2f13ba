import { createHmac } from 'node:crypto';

/**
 * Builds and signs requests exactly as Slack sends them to an app (slash commands,
 * interactivity, Events API), so HTTP-level tests exercise the real verification path.
 */

export const DEFAULT_APP_ID = 'A0APP0001';
/** Legacy verification token; Slack still sends it, signed requests make it irrelevant. */
export const DEFAULT_VERIFICATION_TOKEN = 'legacy-verification-token';

export interface SignedHeaders {
  'X-Slack-Signature': string;
  'X-Slack-Request-Timestamp': string;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let counter = 0;
/** Unique-per-process ids in Slack's shapes; a counter keeps them reproducible within a run. */
const nextId = (): number => ++counter;
export const fakeTriggerId = (): string => `${nowSeconds()}.${1000 + nextId()}.0fa4e51dd0c0ffee`;

/** `v0=` + hex HMAC-SHA256 over `v0:{timestamp}:{rawBody}`. */
export function computeSlackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function signSlackRequest(secret: string, rawBody: string, timestamp: number = nowSeconds()): SignedHeaders {
  return {
    'X-Slack-Signature': computeSlackSignature(secret, timestamp, rawBody),
    'X-Slack-Request-Timestamp': String(timestamp),
  };
}

export interface SlashCommandInput {
  teamId: string;
  teamDomain?: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  command: string;
  text: string;
  triggerId?: string;
  responseUrl: string;
  apiAppId?: string;
  token?: string;
}

/** Slack's slash-command form body, fields in the order Slack sends them. */
export function slashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams({
    token: input.token ?? DEFAULT_VERIFICATION_TOKEN,
    team_id: input.teamId,
    team_domain: input.teamDomain ?? 'acme',
    channel_id: input.channelId,
    channel_name: input.channelName ?? 'general',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text,
    api_app_id: input.apiAppId ?? DEFAULT_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? fakeTriggerId(),
  }).toString();
}

/** Interactivity bodies are a form with one `payload` field holding JSON. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface EventEnvelopeInput {
  teamId: string;
  eventId?: string;
  eventTime?: number;
  apiAppId?: string;
  botUserId?: string;
  token?: string;
}

/** Events API `event_callback` envelope as a JSON string. */
export function eventBody(event: Record<string, unknown>, input: EventEnvelopeInput): string {
  const eventTime = input.eventTime ?? nowSeconds();
  return JSON.stringify({
    token: input.token ?? DEFAULT_VERIFICATION_TOKEN,
    team_id: input.teamId,
    context_team_id: input.teamId,
    context_enterprise_id: null,
    api_app_id: input.apiAppId ?? DEFAULT_APP_ID,
    event: { event_ts: `${eventTime}.000100`, ...event },
    type: 'event_callback',
    event_id: input.eventId ?? `Ev0${eventTime.toString(36).toUpperCase()}${String(nextId()).padStart(4, '0')}`,
    event_time: eventTime,
    authorizations: [
      { enterprise_id: null, team_id: input.teamId, user_id: input.botUserId ?? 'UBOT', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-fake-${input.teamId}`,
  });
}

export function urlVerificationBody(challenge: string, token: string = DEFAULT_VERIFICATION_TOKEN): string {
  return JSON.stringify({ token, challenge, type: 'url_verification' });
}

export interface SignedFetchOptions {
  secret: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  timestamp?: number;
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
}

/** POSTs a body with Slack's signature headers (and retry headers when simulating redelivery). */
export async function signedFetch(url: string, body: string, opts: SignedFetchOptions): Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Type': opts.contentType,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signSlackRequest(opts.secret, body, opts.timestamp),
    ...(opts.retryNum !== undefined ? { 'X-Slack-Retry-Num': String(opts.retryNum) } : {}),
    ...(opts.retryReason !== undefined ? { 'X-Slack-Retry-Reason': opts.retryReason } : {}),
    ...opts.headers,
  };
  return fetch(url, { method: 'POST', headers, body });
}

// ---- Interaction payloads (the JSON inside `payload=`), shaped like Slack's ----

export interface InteractionActor {
  teamId: string;
  teamDomain?: string;
  userId: string;
  userName?: string;
  apiAppId?: string;
  triggerId?: string;
}

function common(actor: InteractionActor): Record<string, unknown> {
  const username = actor.userName ?? actor.userId.toLowerCase();
  return {
    team: { id: actor.teamId, domain: actor.teamDomain ?? 'acme' },
    user: { id: actor.userId, username, name: username, team_id: actor.teamId },
    api_app_id: actor.apiAppId ?? DEFAULT_APP_ID,
    token: DEFAULT_VERIFICATION_TOKEN,
    trigger_id: actor.triggerId ?? fakeTriggerId(),
    enterprise: null,
    is_enterprise_install: false,
  };
}

export interface ButtonAction {
  actionId: string;
  blockId: string;
  value?: string;
  text?: string;
}

export interface BlockActionsInput extends InteractionActor {
  actions: ButtonAction[];
  /** Message the button lives in; omit when it lives in a view. */
  channel?: { id: string; name?: string };
  message?: Record<string, unknown> & { ts: string };
  view?: Record<string, unknown> & { id: string };
  responseUrl?: string;
  stateValues?: StateValues;
}

export type StateValues = Record<string, Record<string, Record<string, unknown>>>;

/** `{ block: { action: 'text' } }` → Slack's `state.values` for plain_text_input elements. */
export function plainTextValues(values: Record<string, Record<string, string>>): StateValues {
  const out: StateValues = {};
  for (const [block, actions] of Object.entries(values)) {
    out[block] = {};
    for (const [action, value] of Object.entries(actions)) out[block][action] = { type: 'plain_text_input', value };
  }
  return out;
}

export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const actionTs = `${nowSeconds()}.${String(nextId()).padStart(6, '0')}`;
  const container = input.view
    ? { type: 'view', view_id: input.view.id }
    : { type: 'message', message_ts: input.message?.ts, channel_id: input.channel?.id, is_ephemeral: false };
  return {
    type: 'block_actions',
    ...common(input),
    container,
    ...(input.channel ? { channel: { id: input.channel.id, name: input.channel.name ?? 'general' } } : {}),
    ...(input.message ? { message: input.message } : {}),
    ...(input.view ? { view: input.view } : {}),
    state: { values: input.stateValues ?? {} },
    ...(input.responseUrl ? { response_url: input.responseUrl } : {}),
    actions: input.actions.map((a) => ({
      action_id: a.actionId,
      block_id: a.blockId,
      text: { type: 'plain_text', text: a.text ?? a.actionId, emoji: true },
      ...(a.value !== undefined ? { value: a.value } : {}),
      type: 'button',
      action_ts: actionTs,
    })),
  };
}

export interface ViewSubmissionInput extends InteractionActor {
  viewId: string;
  callbackId: string;
  privateMetadata?: string;
  values: StateValues;
  title?: string;
  blocks?: unknown[];
}

export function viewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  const base = common(input);
  return {
    type: 'view_submission',
    ...base,
    view: {
      id: input.viewId,
      team_id: input.teamId,
      type: 'modal',
      blocks: input.blocks ?? [],
      private_metadata: input.privateMetadata ?? '',
      callback_id: input.callbackId,
      state: { values: input.values },
      hash: `${nowSeconds()}.fakehash`,
      title: { type: 'plain_text', text: input.title ?? 'Modal', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: input.viewId,
      app_id: base.api_app_id,
      external_id: '',
      app_installed_team_id: input.teamId,
      bot_id: 'BBOT',
    },
    response_urls: [],
  };
}

export interface MessageActionInput extends InteractionActor {
  callbackId: string;
  channel: { id: string; name?: string };
  message: Record<string, unknown> & { ts: string };
  responseUrl: string;
}

/** A message shortcut ("..." menu on a message). */
export function messageActionPayload(input: MessageActionInput): Record<string, unknown> {
  return {
    type: 'message_action',
    ...common(input),
    callback_id: input.callbackId,
    action_ts: `${nowSeconds()}.${String(nextId()).padStart(6, '0')}`,
    message_ts: input.message.ts,
    channel: { id: input.channel.id, name: input.channel.name ?? 'general' },
    message: input.message,
    response_url: input.responseUrl,
  };
}
