import { z } from 'zod';

/**
 * The normalised signal: what every connector (Alertmanager, Grafana, Datadog, generic JSON)
 * is mapped into before risk evaluation and correlation. Values are already normalised:
 * ratios are 0..1, latency is milliseconds, timestamps are ISO-8601 UTC (`...Z`).
 */

export const SIGNAL_STATUSES = ['firing', 'resolved'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const RISK_LEVELS = ['AT_RISK', 'BREACHED', 'CLEARED'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

// Output timestamps are always produced by Date#toISOString, so only the UTC form is valid here.
const isoUtc = z.iso.datetime();

/**
 * Longest value a normalised signal carries (characters); longer ones are cut by the normalisers with a
 * warning (docs/connectors.md). They keep one alert's text inside Slack's limits (2,000 per field,
 * 3,000 per section, 150 per header) wherever it is shown.
 */
export const SIGNAL_LIMITS = {
  serviceName: 200,
  environment: 100,
  title: 150,
  severity: 100,
  source: 100,
  projectId: 200,
  correlationKey: 500,
  traceId: 200,
  fingerprint: 500,
  groupKey: 1000,
  logMessage: 1000,
  logs: 20,
} as const;
const capped = (max: number) => z.string().min(1).max(max);

export const SignalMetricsSchema = z.object({
  /** Share of failed requests, 0..1 (0.05 = 5 %). */
  errorRate: z.number().min(0).max(1).optional(),
  /** Latency in milliseconds (whatever percentile the sender alerts on). */
  latencyMs: z.number().min(0).optional(),
  /** Share of successful checks/requests, 0..1 (0.99 = 99 %). */
  availability: z.number().min(0).max(1).optional(),
});
export type SignalMetrics = z.infer<typeof SignalMetricsSchema>;

export const LogLineSchema = z.object({
  level: z.enum(LOG_LEVELS),
  message: capped(SIGNAL_LIMITS.logMessage),
  timestamp: isoUtc,
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const SignalSchema = z.object({
  orgId: z.string().min(1),
  projectId: capped(SIGNAL_LIMITS.projectId).optional(),
  serviceName: capped(SIGNAL_LIMITS.serviceName),
  environment: capped(SIGNAL_LIMITS.environment),
  metrics: SignalMetricsSchema.optional(),
  logs: z.array(LogLineSchema).max(SIGNAL_LIMITS.logs).optional(),
  correlationKey: capped(SIGNAL_LIMITS.correlationKey).optional(),
  traceId: capped(SIGNAL_LIMITS.traceId).optional(),
  status: z.enum(SIGNAL_STATUSES),
  /** Which sender produced it: 'alertmanager' | 'grafana' | 'datadog' | a generic sender's own name. */
  source: capped(SIGNAL_LIMITS.source),
  title: capped(SIGNAL_LIMITS.title),
  /** The sender's own severity/priority word, kept as given (matching is case-insensitive). */
  severity: capped(SIGNAL_LIMITS.severity).optional(),
  startsAt: isoUtc,
  endsAt: isoUtc.optional(),
  /** Stable identity of one alert across firing → resolved. */
  fingerprint: capped(SIGNAL_LIMITS.fingerprint),
  /** The sender's notification group, when it has one (Alertmanager/Grafana groupKey, Datadog aggreg_key). */
  groupKey: capped(SIGNAL_LIMITS.groupKey).optional(),
  /** The sender's original alert object, kept for audit and debugging. */
  raw: z.unknown(),
});
export type Signal = z.infer<typeof SignalSchema>;

export interface RiskResult {
  level: RiskLevel;
  /** 0.0–1.0, monotonic in how far past the thresholds the worst metric is; see risk.evaluator.ts. */
  score: number;
  /** The signal's first five log lines, in the order received. */
  logs: LogLine[];
  /** Human-readable reasons, worst first. */
  reasons: string[];
}

/** What every normaliser returns: the signals plus anything the operator should know about. */
export interface NormaliseResult {
  signals: Signal[];
  warnings: string[];
}

/** Context supplied by the connector, never by the request body. */
export interface NormaliseContext {
  orgId: string;
  projectId?: string;
  /** Overrides the `source` name recorded on each signal. */
  source?: string;
  /** ISO time the request was received; used only when a sender omits its own timestamp. */
  receivedAt?: string;
}

const LEVEL_ALIASES: Record<string, LogLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  success: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  critical: 'fatal',
  crit: 'fatal',
  fatal: 'fatal',
  emergency: 'fatal',
  alert: 'fatal',
};

/** Maps syslog/logger/alerting level words onto our five levels; unknown words become 'info'. */
export function normaliseLogLevel(level: string | undefined): LogLevel {
  if (!level) return 'info';
  return LEVEL_ALIASES[level.trim().toLowerCase()] ?? 'info';
}
