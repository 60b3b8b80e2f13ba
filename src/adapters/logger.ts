import pino, { type Logger } from 'pino';

/** Secrets never reach the log: these paths are censored wherever they appear. */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'bot_token',
  'signingSecret',
  'clientSecret',
  'apiKey',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  '*.token',
  '*.botToken',
  '*.apiKey',
  '*.authorization',
  '*.signingSecret',
  '*.clientSecret',
  'config.slack',
  'config.openai.apiKey',
  'config.github.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'revenant' } }, destination);
}
