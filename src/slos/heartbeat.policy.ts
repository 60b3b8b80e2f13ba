import type { Signal } from '../signals/signal.types';
import { parseDuration } from './openslo.parser';

/**
 * Heartbeats (dead man's switch): a connector of kind `heartbeat` expects a ping (any authenticated POST)
 * at least every `interval`; `grace` later without one, a BREACHED signal "no heartbeat from X for 7 min"
 * is raised, and the next ping resolves it. Pure: the clock and the store are the caller's.
 */

export const HEARTBEAT_KIND = 'heartbeat';
export const HEARTBEAT_SOURCE = 'heartbeat';
export const DEFAULT_HEARTBEAT = { intervalMs: 5 * 60_000, graceMs: 2 * 60_000 };
const MIN_INTERVAL_MS = 1_000;
const MAX_INTERVAL_MS = 7 * 86_400_000;

export interface HeartbeatSpec {
  name: string;
  intervalMs: number;
  graceMs: number;
}

/** Durations for heartbeats also take seconds (`30s`), for tests and fast jobs. */
export function parseHeartbeatDuration(s: string): number | undefined {
  const m = /^(\d+)\s*s$/.exec(s.trim());
  if (m) return Number(m[1]) > 0 ? Number(m[1]) * 1000 : undefined;
  return parseDuration(s);
}

/**
 * `nightly-backup every 24h grace 30m` → name, interval, grace (both optional: 5 min and 2 min).
 * Throws an Error naming the problem; the service turns it into invalid_input.
 */
export function parseHeartbeatSpec(
  text: string | undefined,
  given: { interval?: string; grace?: string } = {},
): HeartbeatSpec {
  let rest = (text ?? '').replace(/\s+/g, ' ').trim();
  const take = (word: string): string | undefined => {
    const m = new RegExp(`(?:^|\\s)${word}\\s+(\\S+)`, 'i').exec(rest);
    if (!m) return undefined;
    rest = `${rest.slice(0, m.index)} ${rest.slice(m.index + m[0].length)}`.replace(/\s+/g, ' ').trim();
    return m[1];
  };
  const every = take('every') ?? given.interval;
  const grace = take('grace') ?? given.grace;
  const dur = (s: string | undefined, what: string, dflt: number) => {
    if (s === undefined) return dflt;
    const ms = parseHeartbeatDuration(s);
    if (ms === undefined) throw new Error(`${what} "${s}" is not a duration like 30s, 5m, 1h or 1d`);
    return ms;
  };
  const intervalMs = dur(every, 'The interval', DEFAULT_HEARTBEAT.intervalMs);
  const graceMs = dur(grace, 'The grace period', DEFAULT_HEARTBEAT.graceMs);
  if (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS)
    throw new Error('The interval must be from 1s to 7d');
  if (graceMs > MAX_INTERVAL_MS) throw new Error('The grace period must be at most 7d');
  return { name: rest || HEARTBEAT_KIND, intervalMs, graceMs };
}

export interface HeartbeatState {
  connectorId: string;
  orgId: string;
  name: string;
  intervalMs: number;
  graceMs: number;
  createdAt: string;
  lastPingAt?: string;
  missedSince?: string;
}

/** The moment the heartbeat counts as missed: last ping (or creation) + interval + grace. */
export const heartbeatDeadline = (h: HeartbeatState): number =>
  Date.parse(h.lastPingAt ?? h.createdAt) + h.intervalMs + h.graceMs;

export const isMissed = (h: HeartbeatState, now: Date): boolean =>
  !h.missedSince && now.getTime() > heartbeatDeadline(h);

/** `7 min`, `2 h 05 min`, `45 s`. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function heartbeatSignal(h: HeartbeatState, status: 'firing' | 'resolved', now: Date, since: string): Signal {
  const silentFor = now.getTime() - Date.parse(h.lastPingAt ?? h.createdAt);
  const title =
    status === 'firing'
      ? h.lastPingAt
        ? `No heartbeat from ${h.name} for ${ago(silentFor)}`
        : `No heartbeat from ${h.name} since it was set up ${ago(silentFor)} ago`
      : `Heartbeat from ${h.name} is back`;
  return {
    orgId: h.orgId,
    serviceName: h.name.slice(0, 200),
    environment: 'production',
    status,
    source: HEARTBEAT_SOURCE,
    title: title.slice(0, 150),
    severity: 'critical',
    startsAt: since,
    ...(status === 'resolved' ? { endsAt: now.toISOString() } : {}),
    fingerprint: `heartbeat:${h.connectorId}`,
    raw: { heartbeat: h.connectorId, intervalMs: h.intervalMs, graceMs: h.graceMs, lastPingAt: h.lastPingAt ?? null },
  };
}
