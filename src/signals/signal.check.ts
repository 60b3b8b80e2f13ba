import { isIsoUtcMs } from '../shared/iso-time';
import { LOG_LEVELS, type LogLine, SIGNAL_LIMITS, SIGNAL_STATUSES, type Signal } from './signal.types';

/**
 * `SignalSchema.safeParse(s).success` for the signals normalisers make, without zod (~5 µs an alert). Stricter,
 * never looser: true means the schema accepts it (a property test holds the two together); false means
 * "ask the schema", which names the problem.
 */
export function surelyValidSignal(s: Signal): boolean {
  if (typeof s.orgId !== 'string' || s.orgId.length === 0 || s.raw === undefined) return false; // zod wants raw
  if (!capped(s.serviceName, SIGNAL_LIMITS.serviceName) || !capped(s.environment, SIGNAL_LIMITS.environment))
    return false;
  if (!capped(s.source, SIGNAL_LIMITS.source) || !capped(s.title, SIGNAL_LIMITS.title)) return false;
  if (!capped(s.fingerprint, SIGNAL_LIMITS.fingerprint)) return false;
  if (!SIGNAL_STATUSES.includes(s.status) || !isoUtc(s.startsAt)) return false;
  if (s.endsAt !== undefined && !isoUtc(s.endsAt)) return false;
  for (const key of OPTIONAL_CAPPED) {
    const v = s[key];
    if (v !== undefined && !capped(v, SIGNAL_LIMITS[key])) return false;
  }
  if (s.metrics !== undefined && !metricsOk(s.metrics)) return false;
  if (s.logs !== undefined) {
    if (!Array.isArray(s.logs) || s.logs.length > SIGNAL_LIMITS.logs || !s.logs.every(logOk)) return false;
  }
  return true;
}

const OPTIONAL_CAPPED = ['projectId', 'correlationKey', 'traceId', 'severity', 'groupKey'] as const;

const capped = (v: unknown, max: number): boolean => typeof v === 'string' && v.length >= 1 && v.length <= max;

const isoUtc = (v: unknown): boolean => typeof v === 'string' && isIsoUtcMs(v);

const ratio = (v: unknown): boolean => v === undefined || (typeof v === 'number' && v >= 0 && v <= 1);

function metricsOk(m: unknown): boolean {
  if (typeof m !== 'object' || m === null || Object.getPrototypeOf(m) !== Object.prototype) return false;
  const { errorRate, latencyMs, availability } = m as Record<string, unknown>;
  const latencyOk =
    latencyMs === undefined || (typeof latencyMs === 'number' && Number.isFinite(latencyMs) && latencyMs >= 0);
  return ratio(errorRate) && ratio(availability) && latencyOk;
}

function logOk(l: LogLine): boolean {
  if (typeof l !== 'object' || l === null || Object.getPrototypeOf(l) !== Object.prototype) return false;
  return LOG_LEVELS.includes(l.level) && capped(l.message, SIGNAL_LIMITS.logMessage) && isoUtc(l.timestamp);
}
