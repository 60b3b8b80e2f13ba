import { z } from 'zod';
import { logLevelForSeverity } from '../risk.evaluator';
import type { LogLine, NormaliseContext, NormaliseResult, Signal, SignalMetrics } from '../signal.types';
import {
  cleanTitle,
  fnv1a64,
  logLine,
  mergeMetrics,
  metricsFrom,
  parseTime,
  parseWith,
  pick,
} from './normaliser.helpers';
import { type FastAlert, fastAlertmanagerPayload } from './alertmanager.fast';

/**
 * Prometheus Alertmanager webhook, payload version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 *
 * One notification carries a whole alert group. The top-level `status` is "firing" while ANY
 * alert in the group fires, so each alert's own `status` is what we read. An alert is reported
 * resolved once and then dropped from the group.
 *
 * Conventions (labels unless stated; see docs/connectors.md):
 * - service: `service`, `service_name`, `job`, `app`, `application`, then `alertname` (with a
 *   warning) — never a shared "unknown", which would make unrelated alerts window-correlate;
 * - environment: `env`, `environment`, kept as given ("prod" stays "prod"); default "default";
 * - severity: `severity`, then `priority`;
 * - title: annotation `summary`, annotation `title`, then the `alertname` label;
 * - logs: annotation `description` (or `message`) as one line at `startsAt`;
 * - metrics: `error_rate`, `latency_ms`/`latency`, `availability` from labels, then annotations;
 * - correlationKey: `correlation_key`, traceId: `trace_id` (labels, then annotations);
 * - projectId: the connector's, else label `project_id`.
 */

const LabelSet = z.record(z.string(), z.string());

const timestamp = (required: boolean) =>
  z.string().superRefine((value, ctx) => {
    const parsed = parseTime(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    else if (required && parsed.value === undefined)
      ctx.addIssue({ code: 'custom', message: 'must be a real time, not the zero time' });
  });

export const AlertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: LabelSet,
  annotations: LabelSet.default({}),
  startsAt: timestamp(true),
  endsAt: timestamp(false).optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlertSchema>;

export const AlertmanagerWebhookSchema = z.object({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().optional(),
  groupLabels: LabelSet.optional(),
  commonLabels: LabelSet.optional(),
  commonAnnotations: LabelSet.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlertSchema),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhookSchema>;

const SERVICE_LABELS = ['service', 'service_name', 'job', 'app', 'application'] as const;
const ENV_LABELS = ['env', 'environment'] as const;
export const DEFAULT_ENVIRONMENT = 'default';

/** How one Prometheus-style alert (Alertmanager or Grafana) becomes a signal. */
export interface AlertMappingOptions {
  ctx: NormaliseContext;
  source: string;
  groupKey?: string;
  /** The alert as it arrived, stored as `raw`. */
  raw: unknown;
  /** Where the alert sits in the body, for warnings. */
  where: string;
  warnings: string[];
  /** Metrics found elsewhere (Grafana `values`); labels and annotations take precedence. */
  fallbackMetrics?: SignalMetrics;
}

/** Alertmanager ≥ 0.19 always sends a fingerprint; older ones get the same idea: a hash of the sorted labels. */
function labelFingerprint(labels: Record<string, string>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return fnv1a64(pairs.join('\u001f'));
}

export function mapPrometheusAlert(
  alert: AlertmanagerAlert & Partial<Pick<FastAlert, 'times'>>,
  opts: AlertMappingOptions,
): Signal {
  const { labels, annotations } = alert;
  const warn = (message: string): void => {
    opts.warnings.push(`${opts.where}: ${message}`);
  };

  let serviceName = pick(SERVICE_LABELS, labels);
  if (!serviceName) {
    serviceName = pick(['alertname'], labels) ?? 'unknown';
    warn(`no service/job/app label; using "${serviceName}" as the service`);
  }

  const startsAt = alert.times?.startsAt ?? parseTime(alert.startsAt);
  const endsAt = alert.times?.endsAt ?? parseTime(alert.endsAt);
  // The schema already rejected missing or malformed times; this only narrows the types.
  const startIso = startsAt.ok && startsAt.value ? startsAt.value : '';
  const endIso = endsAt.ok ? endsAt.value : undefined;

  const severity = pick(['severity', 'priority'], labels);
  const description = pick(['description', 'message'], annotations);
  const logs: LogLine[] | undefined = description
    ? [logLine(logLevelForSeverity(severity), description, startIso)]
    : undefined;

  const metrics = mergeMetrics(metricsFrom([labels, annotations], warn), opts.fallbackMetrics);

  // Built key by key in the order compact() kept, skipping absent values: one object instead of two.
  const signal = { orgId: opts.ctx.orgId } as Signal;
  const put = <K extends keyof Signal>(key: K, value: Signal[K] | undefined) => {
    if (value !== undefined) signal[key] = value;
  };
  put('projectId', opts.ctx.projectId ?? pick(['project_id'], labels));
  signal.serviceName = serviceName;
  signal.environment = pick(ENV_LABELS, labels) ?? DEFAULT_ENVIRONMENT;
  put('metrics', metrics);
  put('logs', logs);
  put('correlationKey', pick(['correlation_key'], labels, annotations));
  put('traceId', pick(['trace_id'], labels, annotations));
  signal.status = alert.status;
  put('source', opts.source);
  signal.title = cleanTitle(pick(['summary', 'title'], annotations) ?? pick(['alertname'], labels) ?? 'Alert');
  put('severity', severity);
  signal.startsAt = startIso;
  // Firing alerts carry the zero time or a provisional resolve time; only a resolved alert's end is real.
  put('endsAt', alert.status === 'resolved' ? endIso : undefined);
  signal.fingerprint = alert.fingerprint?.trim() || labelFingerprint(labels);
  put('groupKey', opts.groupKey || undefined);
  put('raw', opts.raw);
  return signal;
}

export function truncationWarning(sender: string, truncated: number | undefined): string[] {
  if (!truncated) return [];
  return [
    `${sender} left ${truncated} alert(s) out of this notification (max_alerts); they are not in this payload and were not ingested`,
  ];
}

/** Alerts as they arrived, for `raw` (the parsed copy has defaults applied and unknown keys stripped). */
export function rawAlerts(body: unknown): unknown[] {
  const alerts = (body as { alerts?: unknown }).alerts;
  return Array.isArray(alerts) ? alerts : [];
}

export function normaliseAlertmanager(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const payload = fastAlertmanagerPayload(body) ?? parseWith(AlertmanagerWebhookSchema, body, 'Alertmanager');
  const warnings: string[] = [];
  if (payload.version !== undefined && payload.version !== '4') {
    warnings.push(`Alertmanager payload version "${payload.version}" (expected "4"); fields were read as version 4`);
  }
  warnings.push(...truncationWarning('Alertmanager', payload.truncatedAlerts));
  const raws = rawAlerts(body);
  const signals = payload.alerts.map((alert, i) =>
    mapPrometheusAlert(alert, {
      ctx,
      source: ctx.source ?? 'alertmanager',
      groupKey: payload.groupKey,
      raw: raws[i],
      where: `alerts[${i}]`,
      warnings,
    }),
  );
  return { signals, warnings };
}
