import { requireMember, visibleChannel } from './slack-fake-conversations.methods';
import { socketModeMethods } from './slack-fake-socket.methods';
import { oidcTokenlessMethods } from './slack-fake-oidc.methods';
import { fail, int, isRecord, json, str } from './slack-fake.errors';
import type { MethodContext, MethodHandler } from './slack-fake.methods';
import { fileToApi, userToApi } from './slack-fake.serialize';
import { assertMessageBlocks } from './slack-fake.validate';
import type { FakeSlackState } from './slack-fake.state';
import type { FakeFile, FakeMessage, Params } from './slack-fake.types';

function listPage<T>(ctx: MethodContext, items: T[]): { items: T[]; next: string } {
  const limit = Math.min(Math.max(int(ctx.params, 'limit', 200) || 200, 1), 1000);
  const cursor = str(ctx.params, 'cursor');
  const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^users:/, '')) : 0;
  if (!Number.isFinite(start)) fail('invalid_cursor');
  const next = start + limit < items.length ? Buffer.from(`users:${start + limit}`).toString('base64') : '';
  return { items: items.slice(start, start + limit), next };
}

/** Reads files.completeUploadExternal's `files` argument: `[{ id, title? }]`. */
function completionFiles(ctx: MethodContext): FakeFile[] {
  const files = json(ctx.params, 'files');
  if (!Array.isArray(files) || files.length === 0) fail('invalid_arguments', ['[ERROR] missing required field: files']);
  return files.map((entry, i) => {
    if (!isRecord(entry) || typeof entry.id !== 'string') return fail('invalid_arguments', [`[ERROR] missing id [json-pointer:/files/${i}]`]);
    const file = ctx.team.files.get(entry.id);
    if (!file || file.content === undefined) return fail('file_not_found');
    if (file.completed) return fail('file_already_completed');
    if (typeof entry.title === 'string' && entry.title !== '') file.title = entry.title;
    return file;
  });
}

export const miscMethods: Record<string, MethodHandler> = {
  'api.test': (ctx) => ({ args: ctx.params }),

  'auth.test': (ctx) => ({
    url: `https://${ctx.team.domain}.slack.com/`,
    team: ctx.team.name,
    user: ctx.team.users.get(ctx.team.botUserId)?.name ?? 'bot',
    team_id: ctx.team.id,
    user_id: ctx.team.botUserId,
    bot_id: ctx.team.botId,
    is_enterprise_install: false,
  }),

  'team.info': (ctx) => ({
    team: { id: ctx.team.id, name: ctx.team.name, domain: ctx.team.domain, email_domain: '', icon: { image_default: true } },
  }),

  'bots.info': (ctx) => {
    const bot = str(ctx.params, 'bot');
    if (bot !== undefined && bot !== ctx.team.botId) fail('bot_not_found');
    const user = ctx.team.users.get(ctx.team.botUserId);
    return {
      bot: {
        id: ctx.team.botId,
        deleted: false,
        name: user?.name ?? 'bot',
        updated: ctx.state.nowSec(),
        app_id: ctx.team.appId,
        user_id: ctx.team.botUserId,
        icons: {},
      },
    };
  },

  'users.info': (ctx) => {
    const user = ctx.state.user(ctx.team, str(ctx.params, 'user') ?? '');
    if (!user) fail('user_not_found');
    return { user: userToApi(user, ctx.team, ctx.state.nowMs()) };
  },

  'users.list': (ctx) => {
    const { items, next } = listPage(ctx, [...ctx.team.users.values()]);
    return {
      members: items.map((u) => userToApi(u, ctx.team, ctx.state.nowMs())),
      cache_ts: ctx.state.nowSec(),
      response_metadata: { next_cursor: next },
    };
  },

  'users.lookupByEmail': (ctx) => {
    const email = str(ctx.params, 'email')?.toLowerCase();
    const user = [...ctx.team.users.values()].find((u) => !u.deleted && u.email?.toLowerCase() === email);
    if (!user) fail('users_not_found');
    return { user: userToApi(user, ctx.team, ctx.state.nowMs()) };
  },

  'files.getUploadURLExternal': (ctx) => {
    const filename = str(ctx.params, 'filename');
    if (filename === undefined || filename.trim() === '') fail('invalid_arguments', ['[ERROR] missing required field: filename']);
    const length = int(ctx.params, 'length', -1);
    if (length < 0) fail('invalid_arguments', ['[ERROR] missing required field: length']);
    const file: FakeFile = {
      id: ctx.state.nextFileId(),
      teamId: ctx.team.id,
      name: filename,
      title: filename,
      length,
      user: ctx.team.botUserId,
      created: ctx.state.nowSec(),
      channels: [],
      completed: false,
    };
    ctx.team.files.set(file.id, file);
    return { upload_url: `${ctx.baseUrl}/upload/${file.id}`, file_id: file.id };
  },

  'files.completeUploadExternal': (ctx) => {
    const files = completionFiles(ctx);
    const channelId = str(ctx.params, 'channel_id') ?? str(ctx.params, 'channels');
    const blocks = json(ctx.params, 'blocks', 'invalid_blocks_format');
    assertMessageBlocks(blocks);
    if (channelId) {
      const channel = visibleChannel(ctx, channelId);
      if (channel.is_archived) fail('is_archived');
      requireMember(ctx, channel);
      const threadTs = str(ctx.params, 'thread_ts');
      if (threadTs && !ctx.state.findMessage(channel, threadTs)) fail('thread_not_found');
      for (const f of files) f.channels.push(channel.id);
      const message: FakeMessage = {
        type: 'message',
        ts: ctx.state.nextTs(),
        user: ctx.team.botUserId,
        bot_id: ctx.team.botId,
        app_id: ctx.team.appId,
        team: ctx.team.id,
        text: str(ctx.params, 'initial_comment') ?? '',
        files: files.map((f) => fileToApi(f, ctx.baseUrl)),
        ...(Array.isArray(blocks) ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      ctx.state.appendMessage(channel, message);
    }
    for (const f of files) f.completed = true;
    return { files: files.map((f) => fileToApi(f, ctx.baseUrl)) };
  },

  'files.info': (ctx) => {
    const file = ctx.team.files.get(str(ctx.params, 'file') ?? '');
    if (!file || !file.completed) fail('file_not_found');
    return { file: fileToApi(file, ctx.baseUrl), content: file.content?.toString('utf8') ?? '' };
  },
};

/** Methods that authenticate with the app's client credentials (form fields or HTTP Basic), not a token. */
export interface TokenlessContext {
  state: FakeSlackState;
  params: Params;
  basic?: { id: string; secret: string };
  /** The bearer token, for methods that take an app-level token (apps.connections.open). */
  token?: string;
}

export const tokenlessMethods: Record<string, (ctx: TokenlessContext) => Record<string, unknown>> = {
  ...socketModeMethods,
  ...oidcTokenlessMethods,
  /** The OAuth code exchange: issues the bot token of the workspace the code was registered for. */
  'oauth.v2.access': (ctx) => {
    const clientId = str(ctx.params, 'client_id') ?? ctx.basic?.id;
    const clientSecret = str(ctx.params, 'client_secret') ?? ctx.basic?.secret;
    const app = clientId ? ctx.state.oauth.apps.get(clientId) : undefined;
    if (!app) fail('invalid_client_id');
    if (clientSecret !== app.clientSecret) fail('bad_client_secret');
    const code = str(ctx.params, 'code');
    const grant = code ? ctx.state.oauth.takeCode(code) : undefined;
    if (!grant) fail('invalid_code');
    if (grant.redirectUri !== undefined && str(ctx.params, 'redirect_uri') !== grant.redirectUri) fail('bad_redirect_uri');
    const team = ctx.state.installTeam(grant);
    return {
      access_token: team.botToken,
      token_type: 'bot',
      scope: grant.scopes.join(','),
      bot_user_id: team.botUserId,
      app_id: app.appId ?? team.appId,
      team: { id: team.id, name: team.name },
      enterprise: null,
      authed_user: { id: grant.installerUserId },
      is_enterprise_install: false,
    };
  },
};
