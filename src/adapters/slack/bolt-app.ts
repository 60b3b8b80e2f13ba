import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AppDeps } from '../../app/deps';
import type { Config } from '../../config';
import { registerCommands } from './commands.listener';
import { registerEvents } from './events.listener';
import { registerInteractions } from './interactions.listener';

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
  return new WebClient(token, { slackApiUrl: config.slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: 10_000 });
}

export function createSlackRuntime(config: Config, deps: AppDeps, modules: ListenerModule[] = []): SlackRuntime {
  const clientOptions = { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 } };
  const logger = boltLogger(deps.logger);
  let app: App;
  let receiver: HTTPReceiver | undefined;
  if (config.slack.appToken) {
    app = new App({ token: config.slack.botToken, appToken: config.slack.appToken, socketMode: true, clientOptions, logger });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: '/slack/events',
      processBeforeResponse: false,
      logger,
      // Slack waits 3 s; answer before that even if a listener forgot to ack.
      unhandledRequestTimeoutMillis: 2900,
    });
    app = new App({ token: config.slack.botToken, receiver, clientOptions, logger });
  }
  app.error(async (err) => {
    deps.logger.error({ err }, 'bolt listener error');
  });
  for (const register of [registerCommands, registerInteractions, registerEvents, ...modules]) register(app, deps);

  const client = config.slack.botToken ? deliveryClient(config, config.slack.botToken) : undefined;
  return {
    app,
    httpListener: receiver?.requestListener,
    clientFor: async () => client,
    async start() {
      if (config.slack.appToken) await app.start();
    },
    async stop() {
      if (config.slack.appToken) await app.stop();
    },
  };
}
