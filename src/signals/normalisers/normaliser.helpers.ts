import type { z } from 'zod';
import { DomainError } from '../../shared/domain-error';
import { MAX_TITLE } from '../../incidents/incident.types';
import { isIsoUtcMs } from '../../shared/iso-time';
import { isBlank, stripControl } from '../../shared/text';
import { type LogLevel, type LogLine, SIGNAL_LIMITS, type Signal, type SignalMetrics } from '../signal.types';

/**
 * Shared parsing rules for every connector. The conventions here are the ones documented
 * in docs/connectors.md; change both together.
 */

export type Parsed<T> = { ok: true; value: T | undefined } | { ok: false; error: string };

const ok = <T>(value: T | undefined): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMBER_RE.test(v.trim())) return Number(v.trim());
  return undefined;
}

const isAbsent = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

// Twelve significant digits strip the binary noise of `7.2 / 100`, so "1%" compares exactly equal to 0.01.
const tidy = (n: number): number => Number(n.toPrecision(12));

/**
 * A ratio (error rate, availability) from what senders actually emit:
 * - "7.2%" → 0.072 (a percent sign always means percent);
 * - a number in 0..1 → itself (so 1 means 100 %; write "1%" for one percent);
 * - a number in (1, 100] → percent (7.2 → 0.072);
 * anything else (negative, > 100, not numeric) is rejected.
 */
export function parseRatio(input: unknown): Parsed<number> {
  if (isAbsent(input)) return ok(undefined);
  let raw = input;
  let percent = false;
  if (typeof raw === 'string' && raw.trim().endsWith('%')) {
    percent = true;
    raw = raw.trim().slice(0, -1);
  }
  const n = toNumber(raw);
  if (n === undefined) return fail(`not a number: ${JSON.stringify(input)}`);
  if (n < 0) return fail(`must not be negative: ${JSON.stringify(input)}`);
  if (percent) return n <= 100 ? ok(tidy(n / 100)) : fail(`percent above 100: ${JSON.stringify(input)}`);
  if (n <= 1) return ok(n);
  if (n <= 100) return ok(tidy(n / 100));
  return fail(`must be a ratio (0..1) or a percent (0..100): ${JSON.stringify(input)}`);
}

const DURATION_RE = /^(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|us|µs)?$/i;
const UNIT_TO_MS: Record<string, number> = { ms: 1, s: 1000, us: 0.001, µs: 0.001 };

/** Latency in milliseconds: a number (ms) or a string such as "620", "620ms", "1.2s". */
export function parseLatencyMs(input: unknown): Parsed<number> {
  if (isAbsent(input)) return ok(undefined);
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? ok(input) : fail(`must be a non-negative number: ${input}`);
  }
  if (typeof input !== 'string') return fail(`not a duration: ${JSON.stringify(input)}`);
  const m = DURATION_RE.exec(input.trim());
  if (!m) return fail(`not a duration (use ms, e.g. "620" or "620ms"): ${JSON.stringify(input)}`);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return ok(tidy(Number(m[1]) * (UNIT_TO_MS[unit] ?? 1)));
}

// RFC 3339 with an explicit zone: a zone-less time would be read in the server's local zone.
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const DIGITS_RE = /^\d+$/;

/** What Alertmanager and Grafana send as endsAt of every firing alert. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
const ABSENT: Parsed<string> = Object.freeze({ ok: true, value: undefined });

/** The latest time we accept: the end of year 9999, the last one RFC 3339 (and `toISOString`'s plain form) can write. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A timestamp normalised to ISO-8601 UTC. Accepts RFC 3339 strings and epoch numbers
 * (milliseconds, or seconds when below 1e11). Go's zero time `0001-01-01T00:00:00Z`, which
 * Alertmanager and Grafana send as `endsAt` of firing alerts, and epoch 0 mean "absent".
 * Accepted range: 1970-01-01 to 9999-12-31 UTC (earlier counts as absent, as Go's zero time
 * does); anything later — a nanosecond epoch, `"8640000000000001"` — is refused, never thrown.
 */
export function parseTime(input: unknown): Parsed<string> {
  if (input === GO_ZERO_TIME) return ABSENT;
  // Already what we would write (most senders use toISOString's form): nothing to convert.
  if (typeof input === 'string' && isIsoUtcMs(input) && input >= '1970') return ok(input);
  if (isAbsent(input)) return ok(undefined);
  let ms: number;
  if (typeof input === 'number' || (typeof input === 'string' && DIGITS_RE.test(input.trim()))) {
    const n = Number(input);
    if (!Number.isFinite(n) || n < 0) return fail(`not an epoch time: ${JSON.stringify(input)}`);
    if (n === 0) return ok(undefined);
    ms = n < 1e11 ? n * 1000 : n;
  } else if (typeof input === 'string' && RFC3339_RE.test(input.trim())) {
    ms = Date.parse(input.trim());
  } else {
    return fail(`not an RFC 3339 timestamp or epoch: ${JSON.stringify(input)}`);
  }
  if (Number.isNaN(ms)) return fail(`invalid date: ${JSON.stringify(input)}`);
  if (ms > MAX_TIME_MS)
    return fail(
      `out of range (after 9999-12-31; use epoch seconds or milliseconds): ${JSON.stringify(input).slice(0, 40)}`,
    );
  if (ms < 0) return ok(undefined);
  return ok(new Date(ms).toISOString());
}

/** FNV-1a 64-bit as 16 hex digits: a stable, dependency-free fingerprint (same width as Alertmanager's). */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    hash ^= BigInt(b);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

export type StringMap = Record<string, string> | undefined | null;

/** First non-blank value: every map is tried for the first key, then every map for the next key. */
export function pick(keys: readonly string[], ...maps: StringMap[]): string | undefined {
  for (const key of keys) {
    for (const map of maps) {
      const v = map?.[key];
      if (typeof v !== 'string') continue;
      const trimmed = v.trim();
      if (trimmed !== '') return trimmed;
    }
  }
  return undefined;
}

export const METRIC_KEYS = {
  errorRate: ['error_rate'],
  latencyMs: ['latency_ms', 'latency'],
  availability: ['availability'],
} as const satisfies Record<keyof SignalMetrics, readonly string[]>;

/**
 * Metrics from label/annotation maps (earlier maps win). An unparseable value is skipped with a
 * warning rather than failing the whole notification: the alert itself is still worth recording.
 */
export function metricsFrom(maps: StringMap[], warn: (message: string) => void): SignalMetrics | undefined {
  const out: SignalMetrics = {};
  const read = (key: keyof SignalMetrics, parse: (v: unknown) => Parsed<number>): void => {
    const keys = METRIC_KEYS[key];
    const value = pick(keys, ...maps);
    if (value === undefined) return;
    const parsed = parse(value);
    if (!parsed.ok) warn(`${keys[0]} ignored: ${parsed.error}`);
    else if (parsed.value !== undefined) out[key] = parsed.value;
  };
  read('errorRate', parseRatio);
  read('latencyMs', parseLatencyMs);
  read('availability', parseRatio);
  return Object.keys(out).length ? out : undefined;
}

/** Fills metrics missing from `primary` with those from `fallback`. */
export function mergeMetrics(primary?: SignalMetrics, fallback?: SignalMetrics): SignalMetrics | undefined {
  const merged = { ...fallback, ...primary };
  return Object.keys(merged).length ? merged : undefined;
}

/** Cut with an ellipsis, never between the two halves of a surrogate pair (an emoji). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head}…`;
}

/** Titles become incident titles, so they get the same limit. */
const PLAIN_TEXT = /^[\x20-\x7E]*$/;
export const cleanTitle = (text: string): string =>
  // Printable ASCII with single spaces and no outer ones (most titles) has nothing to clean.
  PLAIN_TEXT.test(text) && !text.includes('  ') && text.trim() === text
    ? truncate(text, MAX_TITLE)
    : truncate(stripControl(text).replace(/\s+/g, ' ').trim(), MAX_TITLE);

const MAX_LOG_MESSAGE = 1000;

export function logLine(level: LogLevel, message: string, timestamp: string): LogLine {
  return { level, message: truncate(message.trim(), MAX_LOG_MESSAGE), timestamp };
}

type CappedKey = Exclude<keyof typeof SIGNAL_LIMITS, 'logs' | 'logMessage'>;
const CAPPED_KEYS = Object.keys(SIGNAL_LIMITS).filter((k) => k !== 'logs' && k !== 'logMessage') as CappedKey[];

/**
 * Every text of a signal cut to SIGNAL_LIMITS, control characters dropped (Postgres refuses NUL, nothing
 * renders them), at most SIGNAL_LIMITS.logs log lines, and a title of only invisible characters replaced.
 * A cut is a warning, not a refusal: the alert is still worth recording. Same input, same output, so
 * repeats of a cut alert keep one identity.
 */
export function capSignal(signal: Signal, where: string, warnings: string[]): Signal {
  return alreadyCapped(signal) ? signal : capSignalCopy(signal, where, warnings);
}

/** capSignal's full path, which always copies; exported so tests can hold the shortcut to it. */
export function capSignalCopy(signal: Signal, where: string, warnings: string[]): Signal {
  const cut: string[] = [];
  const out: Signal = { ...signal };
  for (const key of CAPPED_KEYS) {
    const value = out[key];
    if (typeof value !== 'string') continue;
    const clean = stripControl(value).trim();
    if (clean.length > SIGNAL_LIMITS[key]) cut.push(`${key} (${clean.length} characters, limit ${SIGNAL_LIMITS[key]})`);
    out[key] = truncate(clean, SIGNAL_LIMITS[key]);
  }
  if (isBlank(out.title)) {
    out.title = truncate(`Alert on ${out.serviceName}`, SIGNAL_LIMITS.title);
    warnings.push(`${where}: the title has no visible characters; using "${out.title}"`);
  }
  if (out.logs) {
    const logs = out.logs
      .map((l) => ({ ...l, message: truncate(stripControl(l.message).trim(), SIGNAL_LIMITS.logMessage) }))
      .filter((l) => l.message !== '');
    if (logs.length > SIGNAL_LIMITS.logs) cut.push(`logs (${logs.length} lines, limit ${SIGNAL_LIMITS.logs})`);
    out.logs = logs.length ? logs.slice(0, SIGNAL_LIMITS.logs) : undefined;
    if (!out.logs) delete out.logs;
  }
  if (cut.length) warnings.push(`${where}: cut to the documented limits: ${cut.join(', ')}`);
  return out;
}

const HAS_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const HAS_VISIBLE = /[0-9A-Za-z]/;
/** Nothing for capSignal to change: no control characters, no outer whitespace, within limits. */
const clean = (v: string, max: number): boolean => v.length <= max && !HAS_CONTROL.test(v) && v.trim() === v;

/** The common case, checked without copying: most alerts arrive within every limit. */
function alreadyCapped(signal: Signal): boolean {
  for (const key of CAPPED_KEYS) {
    const value = signal[key];
    if (typeof value === 'string' && !clean(value, SIGNAL_LIMITS[key])) return false;
  }
  if (typeof signal.title !== 'string' || (!HAS_VISIBLE.test(signal.title) && isBlank(signal.title))) return false;
  const logs = signal.logs;
  if (logs === undefined) return !('logs' in signal);
  if (logs.length === 0 || logs.length > SIGNAL_LIMITS.logs) return false;
  return logs.every((l) => l.message !== '' && clean(l.message, SIGNAL_LIMITS.logMessage));
}

/** Drops keys whose value is undefined, so signals carry only what the sender gave. */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  const from = obj as Record<string, unknown>;
  for (const k of Object.keys(from)) if (from[k] !== undefined) out[k] = from[k];
  return out as T;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(body)';
}

const MAX_LISTED_PROBLEMS = 10;

/** "path: message; path: message" — the reason format of every invalid_input we raise. */
export function formatIssues(issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>): string {
  const listed = issues.slice(0, MAX_LISTED_PROBLEMS).map((i) => `${formatPath(i.path)}: ${i.message}`);
  const more = issues.length - listed.length;
  return listed.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '');
}

export function invalidInput(
  what: string,
  issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>,
): DomainError {
  return new DomainError('invalid_input', `${what} payload is invalid: ${formatIssues(issues)}`);
}

/** Validates a sender's body, throwing DomainError('invalid_input') that lists every problem. */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidInput(what, result.error.issues);
  return result.data;
}

/** A zod refinement message helper: turns a Parsed failure into an issue on the current path. */
export function refineWith<T>(parse: (v: unknown) => Parsed<T>) {
  return (value: unknown, ctx: { addIssue: (issue: { code: 'custom'; message: string }) => void }): T | undefined => {
    const parsed = parse(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return undefined;
    }
    return parsed.value;
  };
}
