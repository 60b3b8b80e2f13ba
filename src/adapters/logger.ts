import pino, { type Logger } from 'pino';
import type { Config } from '../config';

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

/**
 * Credentials by their shape: Slack, GitHub, OpenAI and our connector tokens, and whatever follows an
 * Authorization scheme. A second net under the path redaction, for secrets inside message strings
 * (an upstream error body that echoes our request headers, an exception message).
 */
const SECRET_SHAPES: Array<[RegExp, string]> = [
  [/\bxox[abposre]-[A-Za-z0-9-]{8,}/g, 'xox?-[redacted]'],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, 'xapp-[redacted]'],
  [/\bgh[pousr]_[A-Za-z0-9]{16,}/g, 'gh?_[redacted]'],
  [/\bgithub_pat_[A-Za-z0-9_]{16,}/g, 'github_pat_[redacted]'],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-[redacted]'],
  [/\brvn_[A-Za-z0-9_-]{16,}/g, 'rvn_[redacted]'],
  [/\b(Bearer|Basic|token)(\s+)[A-Za-z0-9._~+/=-]{20,}/gi, '$1$2[redacted]'],
];

/** Replace known secret values and secret-shaped strings in one serialised log line. */
export function scrubSecrets(line: string, exact: readonly string[] = []): string {
  let out = line;
  for (const s of exact) if (out.includes(s)) out = out.split(s).join('[redacted]');
  for (const [re, to] of SECRET_SHAPES) out = out.replace(re, to);
  return out;
}

/**
 * `secrets`: the configured values (tokens, signing and client secrets, API keys) to censor wherever
 * they turn up, even in free text; values shorter than 8 characters are ignored (too likely to be words).
 */
export function createLogger(level: string, destination?: pino.DestinationStream, secrets: readonly (string | undefined)[] = []): Logger {
  const exact = secrets.filter((s): s is string => !!s && s.length >= 8);
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'revenant' },
      hooks: { streamWrite: (s) => scrubSecrets(s, exact) },
    },
    destination,
  );
}

/** Every secret the configuration holds, for `createLogger`'s exact-value scrubbing. */
export function configSecrets(config: Config): string[] {
  const { slack, openai, github, database } = config;
  let dbPassword: string | undefined;
  if (database.dialect === 'postgres') {
    try {
      dbPassword = decodeURIComponent(new URL(database.location).password) || undefined;
    } catch {
      dbPassword = undefined;
    }
  }
  return [slack.botToken, slack.signingSecret, slack.clientSecret, slack.stateSecret, slack.appToken, openai.apiKey, github.token, dbPassword].filter((s): s is string => !!s);
}
