import { LogLevel, WebClient, type Logger, type WebClientOptions } from '@slack/web-api';
import type { SlackFake } from './slack-fake.server';

/** Swallows WebClient's own logging; the fake's `calls` already show every error. */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/**
 * A real WebClient aimed at the fake. Retries are off by default so failures surface
 * immediately; pass `retryConfig` to exercise the client's own retry behaviour.
 */
export function fakeWebClient(fake: SlackFake, token = fake.defaultTeam.botToken, opts: WebClientOptions = {}): WebClient {
  return new WebClient(token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quietLogger, ...opts });
}
