import { write as fsWrite } from 'node:fs';
import pino, { type Logger } from 'pino';
import type { Config } from '../config';

/** Lines dropped because the log destination could not keep up, was closed, or failed (process-wide). */
export const logDrops = { lines: 0 };
/** Bytes a writer may hold for a slow reader before it drops new lines (never blocks, never grows without bound). */
export const LOG_QUEUE_MAX_BYTES = 8 * 1024 * 1024;

export interface FdWriter {
  write(line: string): boolean;
  /** Resolves true once everything queued is written, or false at the deadline (a stuck reader). */
  flush(deadlineMs: number): Promise<boolean>;
}

/**
 * An asynchronous writer on a file descriptor (1 or 2). pino's default destination writes
 * synchronously: a full pipe then blocks the event loop (or spins on EAGAIN in a futex wait), so a log
 * reader that goes away would freeze the process. Here writes go through libuv's thread pool one
 * batch at a time; EAGAIN is retried on a timer, EPIPE or any other error turns the writer off, and
 * lines beyond LOG_QUEUE_MAX_BYTES are dropped and counted in `logDrops`.
 */
export function createFdWriter(fd: number, maxBytes = LOG_QUEUE_MAX_BYTES): FdWriter {
  let queue: string[] = [];
  let queuedBytes = 0;
  let writing = false;
  let broken = false;
  let waiters: (() => void)[] = [];
  const settleWaiters = () => {
    if (!writing && (queue.length === 0 || broken)) for (const w of waiters.splice(0)) w();
  };
  const pump = () => {
    if (writing || broken || queue.length === 0) return settleWaiters();
    const lines = queue.length;
    const buf = Buffer.from(queue.join(''), 'utf8');
    queue = [];
    writing = true;
    const attempt = (offset: number) =>
      fsWrite(fd, buf, offset, buf.length - offset, null, (err, n) => {
        if (err) {
          if (err.code === 'EAGAIN') {
            setTimeout(() => attempt(offset), 25).unref();
            return;
          }
          // EPIPE (the reader left), EBADF…: nothing more can be written here; count instead of crashing.
          broken = true;
          writing = false;
          logDrops.lines += lines + queue.length;
          queue = [];
          queuedBytes = 0;
          return settleWaiters();
        }
        if (offset + n < buf.length) return attempt(offset + n);
        writing = false;
        queuedBytes -= buf.length;
        pump();
      });
    attempt(0);
  };
  return {
    write(line) {
      const bytes = Buffer.byteLength(line);
      if (broken || queuedBytes + bytes > maxBytes) {
        logDrops.lines++;
        return false;
      }
      queue.push(line);
      queuedBytes += bytes;
      if (!writing) pump();
      return true;
    },
    flush(deadlineMs) {
      if (!writing && (queue.length === 0 || broken)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          waiters = waiters.filter((w) => w !== done);
          resolve(false);
        }, deadlineMs);
        t.unref();
        const done = () => {
          clearTimeout(t);
          resolve(true);
        };
        waiters.push(done);
      });
    },
  };
}

let stdoutWriter: FdWriter | undefined;
let stderrWriter: FdWriter | undefined;
/** The process's non-blocking stdout / stderr (shared by the logger and main's messages). */
export const stdoutLines = (): FdWriter => (stdoutWriter ??= createFdWriter(1));
export const stderrLines = (): FdWriter => (stderrWriter ??= createFdWriter(2));

/** Before process.exit: give queued log lines up to `deadlineMs` to reach a live reader, never longer. */
export async function flushLogs(deadlineMs = 1000): Promise<void> {
  await Promise.all([stdoutWriter?.flush(deadlineMs), stderrWriter?.flush(deadlineMs)]);
}

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
    // Default: stdout through the non-blocking writer (pino's own default is a synchronous write).
    destination ?? { write: (line: string) => void stdoutLines().write(line) },
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
  return [slack.botToken, slack.signingSecret, slack.clientSecret, slack.stateSecret, slack.appToken, openai.apiKey, github.token, config.followUps?.webhookSecret, dbPassword, config.prometheus.bearerToken, config.prometheus.basicAuth].filter((s): s is string => !!s);
}
