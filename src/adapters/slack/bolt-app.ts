import { App, ErrorCode, HTTPReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AppDeps } from '../../app/deps';
import type { Config } from '../../config';
import { registerCommands } from './commands.listener';
import { registerEvents } from './events.listener';
import { registerInteractions } from './interactions.listener';
import { createOAuthMode } from './oauth-mode';

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
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function deliveryClient(config: Config, token: string): WebClient {
  return new WebClient(token, { slackApiUrl: config.slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: config.slack.timeoutMs });
}

export function createSlackRuntime(config: Config, deps: AppDeps, modules: ListenerModule[] = []): SlackRuntime {
  const clientOptions = { slackApiUrl: config.slack.apiUrl, timeout: config.slack.timeoutMs, retryConfig: { retries: 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 } };
  const logger = boltLogger(deps.logger);
  // OAuth mode: tokens come from the installation store per request; the install pages need HTTP, so it never uses Socket Mode.
  const oauth = config.slack.mode === 'oauth' ? createOAuthMode(config, deps, (token) => deliveryClient(config, token)) : undefined;
  const socketMode = !!config.slack.appToken && !oauth;
  if (oauth && config.slack.appToken) deps.logger.warn('SLACK_APP_TOKEN is ignored in OAuth mode: Slack traffic is served over HTTP on /slack/events');
  let app: App;
  let receiver: HTTPReceiver | undefined;
  if (socketMode) {
    app = new App({ token: config.slack.botToken, appToken: config.slack.appToken, socketMode: true, clientOptions, logger });
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
    app = new App({ token: oauth ? undefined : config.slack.botToken, receiver, clientOptions, logger });
  }
  app.error(async (err) => {
    // OAuth mode: a workspace that uninstalled us (or never installed) is expected traffic, not a fault.
    if (oauth && err.code === ErrorCode.AuthorizationError) return deps.logger.warn({ reason: err.message }, 'request from a workspace without an installation ignored');
    deps.logger.error({ err }, 'bolt listener error');
  });
  for (const register of [registerCommands, registerInteractions, registerEvents, ...(oauth ? [oauth.listener] : []), ...modules]) register(app, deps);

  const client = config.slack.botToken && !oauth ? deliveryClient(config, config.slack.botToken) : undefined;
  return {
    app,
    httpListener: receiver?.requestListener,
    clientFor: oauth ? oauth.clientFor : async () => client,
    async start() {
      if (socketMode) await app.start();
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}
