/** Shapes shared by the Slack Web API fake. Wire-facing objects keep Slack's snake_case names. */

export interface FakeUserInput {
  id: string;
  name: string;
  realName?: string;
  tz?: string;
  isBot?: boolean;
  email?: string;
  isAdmin?: boolean;
}

export interface FakeTeamInput {
  id: string;
  name: string;
  botToken: string;
  botUserId: string;
  /** Defaults to `B` + botUserId without its leading `U`. */
  botId?: string;
  botName?: string;
  appId?: string;
  domain?: string;
  users: FakeUserInput[];
}

export interface FakeSlackOptions {
  port?: number;
  host?: string;
  teams?: FakeTeamInput[];
  /** Clock for message ts and created stamps (ms); tests can pin it. */
  now?: () => number;
}

export interface TextField {
  value: string;
  creator: string;
  last_set: number;
}

export interface FakeReaction {
  name: string;
  users: string[];
  count: number;
}

export interface FakeMessage {
  type: 'message';
  subtype?: string;
  ts: string;
  user: string;
  bot_id?: string;
  app_id?: string;
  team: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  edited?: { user: string; ts: string };
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  reactions?: FakeReaction[];
  pinned_to?: string[];
  files?: Record<string, unknown>[];
}

export interface FakePin {
  ts: string;
  created: number;
  created_by: string;
}

export interface FakeChannel {
  id: string;
  teamId: string;
  name: string;
  is_private: boolean;
  is_archived: boolean;
  is_im: boolean;
  /** For IMs: the human on the other side. */
  imUser?: string;
  created: number;
  creator: string;
  members: string[];
  topic: TextField;
  purpose: TextField;
  /** Oldest first; replies live here too, linked by thread_ts. */
  messages: FakeMessage[];
  pins: FakePin[];
}

export interface FakeUser {
  id: string;
  teamId: string;
  name: string;
  realName: string;
  tz: string;
  isBot: boolean;
  isAdmin: boolean;
  email?: string;
  deleted: boolean;
}

export interface FakeViewRecord {
  /** The view exactly as Slack would return it. */
  view: Record<string, unknown>;
  userId?: string;
  updatedAt: number;
}

export interface FakeFile {
  id: string;
  teamId: string;
  name: string;
  title: string;
  length: number;
  user: string;
  created: number;
  content?: Buffer;
  channels: string[];
  completed: boolean;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
}

export interface TeamState {
  id: string;
  name: string;
  domain: string;
  botToken: string;
  botUserId: string;
  botId: string;
  appId: string;
  users: Map<string, FakeUser>;
  channels: Map<string, FakeChannel>;
  views: Map<string, FakeViewRecord>;
  /** Published home tab per user id. */
  homeTabs: Map<string, FakeViewRecord>;
  files: Map<string, FakeFile>;
  ephemerals: FakeEphemeral[];
  /** User groups (`S…`), made on first addUsergroup. */
  usergroups?: Map<string, FakeUsergroup>;
}

export interface FakeUsergroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
  /** Disabled groups answer only with include_disabled. */
  disabled?: boolean;
}

export type Params = Record<string, unknown>;

export interface RecordedCall {
  seq: number;
  method: string;
  params: Params;
  teamId: string | null;
  at: number;
  status: number;
  /** Body sent back (for 429/500/timeouts: what the fake answered with). */
  response: Record<string, unknown>;
  fault?: FaultKind;
}

export interface ResponseUrlContext {
  teamId?: string;
  channelId?: string;
  userId?: string;
  /** Message the interaction came from, so replace_original/delete_original can act on it. */
  messageTs?: string;
}

export interface RecordedResponse {
  id: string;
  at: number;
  contentType: string;
  body: unknown;
  context?: ResponseUrlContext;
}

export type FaultKind = '429' | '500' | 'timeout';

export type FaultSpec =
  | string
  | { status: 429; retryAfter: number }
  | { status: 500 }
  | { timeoutMs: number };

export interface TriggerRecord {
  teamId?: string;
  userId?: string;
  status: 'fresh' | 'exchanged' | 'expired';
}
