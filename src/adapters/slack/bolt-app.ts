import { App, ErrorCode, HTTPReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AppDeps } from '../../app/deps';
import type { Config } from '../../config';
import { registerCommands } from './commands.listener';
import { registerEvents } from './events.listener';
import { registerIncidentListeners } from './incidents';
import { installRequestContext } from './request-context';
import { isDatabaseUnavailable } from '../db/create-db';
import { logDatabaseUnavailable } from '../http/db-unavailable';
import { createOAuthMode } from './oauth-mode';
import { createSlackHealth, type SlackHealth } from './slack-health';

/** Largest request body accepted on /slack/events (bytes), same as the connector webhook's limit. */
export const SLACK_BODY_LIMIT = 1024 * 1024;

/** Listener modules beyond the core ones (features register theirs here). */
export type ListenerModule = (app: App, deps: AppDeps) => void;

function boltLogger(logger: Logger): BoltLogger {
  const l = logger.child({ component: 'bolt' });
  return {
    debug: (...m) => l.debug(m.map(String).join(' ')),
    info: (...m) => l.info(m.map(String).join(' ')),
    warn: (...m) => l.warn(m.map(String).join(' ')),
    error: (...m) => l.error(m.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

export interface SlackRuntime {
  app: App;
  /** Node request listener for `/slack/*` over HTTP; undefined in Socket Mode. */
  httpListener?: HTTPReceiver['requestListener'];
  /** A client for effects: no automatic retries (the outbox retries), 429s surface as errors. */
  clientFor: (orgId: string) => Promise<WebClient | undefined>;
  /** Whether Slack answers (auth.test, retried in the background); shown by /readyz. */
  health: SlackHealth;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function deliveryClient(config: Config, token: string): WebClient {
  return new WebClient(token, { slackApiUrl: config.slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: config.slack.timeoutMs });
}

export function createSlackRuntime(
  config: Config,
  deps: AppDeps,
  modules: ListenerModule[] = [],
  hooks: { onSlackRecovered?: () => void } = {},
): SlackRuntime {
  const clientOptions = { slackApiUrl: config.slack.apiUrl, timeout: config.slack.timeoutMs, retryConfig: { retries: 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 } };
  const logger = boltLogger(deps.logger);
  // OAuth mode: tokens come from the installation store per request; the install pages need HTTP, so it never uses Socket Mode.
  const oauth = config.slack.mode === 'oauth' ? createOAuthMode(config, deps, (token) => deliveryClient(config, token)) : undefined;
  const socketMode = !!config.slack.appToken && !oauth;
  if (oauth && config.slack.appToken) deps.logger.warn('SLACK_APP_TOKEN is ignored in OAuth mode: Slack traffic is served over HTTP on /slack/events');
  const client = config.slack.botToken && !oauth ? deliveryClient(config, config.slack.botToken) : undefined;
  // Bolt's own token handling calls auth.test in the App constructor and keeps the promise: with Slack
  // unreachable at boot that is an unhandled rejection (the process exits) and every later request fails.
  // Instead auth.test is probed in the background and requests are authorized with what is known.
  const health = createSlackHealth({
    logger: deps.logger,
    now: deps.now,
    onRecovered: hooks.onSlackRecovered,
    probe: async () => {
      if (!client) {
        const anonymous = { slackApiUrl: config.slack.apiUrl, timeout: config.slack.timeoutMs, retryConfig: { retries: 0 } };
        await new WebClient(undefined, anonymous).api.test();
        return {};
      }
      const r = await client.auth.test();
      return { teamId: r.team_id, botUserId: r.user_id, botId: r.bot_id };
    },
  });
  const botToken = oauth ? undefined : config.slack.botToken;
  const authorize = botToken
    ? async () => {
        const id = health.identity();
        return { botToken, botUserId: id?.botUserId, botId: id?.botId };
      }
    : undefined;
  let app: App;
  let receiver: HTTPReceiver | undefined;
  if (socketMode) {
    const appToken = config.slack.appToken;
    app = new App({ authorize, appToken, socketMode: true, clientOptions, logger, convoStore: false });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: '/slack/events',
      processBeforeResponse: false,
      logger,
      // Slack waits 3 s; answer before that even if a listener forgot to ack.
      unhandledRequestTimeoutMillis: 2900,
      // Slack's bodies are a few KiB (a large modal submission stays well under this): refuse more with 413.
      bodyLimit: SLACK_BODY_LIMIT,
      ...oauth?.receiverOptions,
    });
    // No conversation store: nothing reads `context.conversation`, and it was a lookup per request.
    app = new App({ authorize, receiver, clientOptions, logger, convoStore: false });
  }
  app.error(async (err) => {
    // The installation store (OAuth) or a listener could not reach the database: say that, not "not installed".
    const original = (err as { original?: unknown }).original ?? err;
    if (isDatabaseUnavailable(original) || isDatabaseUnavailable({ message: err.message })) {
      return logDatabaseUnavailable(deps.logger, original, 'slack');
    }
    // OAuth mode: a workspace that uninstalled us (or never installed) is expected traffic, not a fault.
    if (oauth && err.code === ErrorCode.AuthorizationError) return deps.logger.warn({ reason: err.message }, 'request from a workspace without an installation ignored');
    deps.logger.error({ err }, 'bolt listener error');
  });
  for (const register of [installRequestContext, registerCommands, registerIncidentListeners, registerEvents, ...(oauth ? [oauth.listener] : []), ...modules]) register(app, deps);

  let socketRetry: NodeJS.Timeout | undefined;
  let stopped = false;
  // Socket Mode needs Slack (apps.connections.open) to receive anything; webhooks, health and metrics do not:
  // keep trying in the background instead of failing the start.
  const connectSocket = async (attempt: number): Promise<void> => {
    try {
      await app.start();
      if (attempt > 1) deps.logger.info({ attempt }, 'Socket Mode connected');
    } catch (err) {
      if (stopped) return;
      const wait = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      deps.logger.warn({ err, attempt, retryInMs: wait }, 'Socket Mode could not connect to Slack; retrying in the background');
      socketRetry = setTimeout(() => void connectSocket(attempt + 1), wait);
      socketRetry.unref();
    }
  };
  return {
    app,
    httpListener: receiver?.requestListener,
    clientFor: oauth ? oauth.clientFor : async () => client,
    health,
    async start() {
      health.start();
      // Not awaited: Socket Mode's client retries apps.connections.open on its own for a long time.
      if (socketMode) void connectSocket(1);
    },
    async stop() {
      stopped = true;
      clearTimeout(socketRetry);
      health.stop();
      if (socketMode) await app.stop().catch((err) => deps.logger.warn({ err }, 'Socket Mode stop failed'));
    },
  };
}
