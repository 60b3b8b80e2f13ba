import { z } from 'zod';
import { logLevelForSeverity } from '../risk.evaluator';
import type { LogLine, NormaliseContext, NormaliseResult, Signal } from '../signal.types';
import { DEFAULT_ENVIRONMENT } from './alertmanager.normaliser';
import { cleanTitle, compact, invalidInput, logLine, metricsFrom, parseTime, parseWith, pick } from './normaliser.helpers';

/**
 * Datadog Webhooks integration (https://docs.datadoghq.com/integrations/webhooks/).
 * Datadog has no fixed alert body: users paste DATADOG_PAYLOAD_TEMPLATE into the webhook's
 * Payload field and Datadog substitutes its $VARIABLES (as strings) before POSTing.
 *
 * Mapping:
 * - status: `$ALERT_TRANSITION` "Recovered" → resolved; Triggered/Re-Triggered, Warn/Re-Warn,
 *   No Data/Re-No Data, Renotify → firing;
 * - fingerprint: `$ALERT_ID` + `$ALERT_SCOPE` (the monitor and the group that fired), stable from
 *   trigger to recovery and across alert cycles, like Alertmanager's;
 * - groupKey: `$AGGREG_KEY`; the cycle key is kept in `raw` (it changes every cycle);
 * - service/env/correlation_key/trace_id/project_id: tags `service:`, `env:`/`environment:`, …
 *   read from `$ALERT_SCOPE` first (it names the group that fired), then `$TAGS`;
 * - severity: "warning" for Warn and No Data transitions, else `$ALERT_PRIORITY` (P1..P5), else
 *   `$ALERT_TYPE` (error/warning/info);
 * - metrics: Datadog has no webhook variable for the triggering value, so write it into the
 *   monitor message, e.g. `error_rate={{value}}%`, `latency_ms={{value}}`, `availability={{value}}%`;
 *   `key=value` or `key: value` in the message body is read with the usual ratio/percent rules;
 * - time: `$DATE` (epoch ms), then `$LAST_UPDATED`, then the time the request was received.
 *   Datadog does not say when a cycle started, so a recovery's startsAt is its own time.
 * A variable Datadog leaves unsubstituted ("$ALERT_CYCLE_KEY") or empty counts as absent.
 */

const TEMPLATE = {
  id: '$ID',
  alert_id: '$ALERT_ID',
  aggreg_key: '$AGGREG_KEY',
  alert_cycle_key: '$ALERT_CYCLE_KEY',
  transition: '$ALERT_TRANSITION',
  alert_type: '$ALERT_TYPE',
  priority: '$ALERT_PRIORITY',
  scope: '$ALERT_SCOPE',
  tags: '$TAGS',
  title: '$EVENT_TITLE',
  alert_title: '$ALERT_TITLE',
  body: '$TEXT_ONLY_MSG',
  alert_metric: '$ALERT_METRIC',
  alert_query: '$ALERT_QUERY',
  alert_status: '$ALERT_STATUS',
  hostname: '$HOSTNAME',
  link: '$LINK',
  date: '$DATE',
  last_updated: '$LAST_UPDATED',
  org_id: '$ORG_ID',
} as const;

/** The JSON users paste into the Datadog webhook's Payload field (leave "Encode as form" off). */
export const DATADOG_PAYLOAD_TEMPLATE = JSON.stringify(TEMPLATE, null, 2);

const UNFILLED = /^\$[A-Z_]+(\[[^\]]*\])?$/;

/** Datadog substitutes strings; hand-written or proxied bodies may carry numbers. */
const ddValue = z
  .union([z.string(), z.number()])
  .transform((v) => {
    const s = String(v).trim();
    return s === '' || UNFILLED.test(s) ? undefined : s;
  })
  .optional();
const ddRequired = z
  .union([z.string(), z.number()])
  .transform((v) => {
    const s = String(v).trim();
    return s === '' || UNFILLED.test(s) ? undefined : s;
  })
  .refine((v) => v !== undefined, 'required, but Datadog left it empty or unsubstituted');
const ddTime = ddValue.superRefine((v, ctx) => {
  const parsed = parseTime(v);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const LOGS_SAMPLE = z.object({ rows: z.array(z.object({ message: z.string().optional() }).loose()).optional() }).loose();

export const DatadogWebhookSchema = z.object({
  id: ddValue,
  alert_id: ddRequired,
  aggreg_key: ddValue,
  alert_cycle_key: ddValue,
  transition: ddRequired,
  alert_type: ddValue,
  priority: ddValue,
  scope: ddValue,
  tags: ddValue,
  title: ddValue,
  alert_title: ddValue,
  body: ddValue,
  alert_metric: ddValue,
  alert_query: ddValue,
  alert_status: ddValue,
  hostname: ddValue,
  link: ddValue,
  date: ddTime,
  last_updated: ddTime,
  org_id: ddValue,
  /** Optional: `$LOGS_SAMPLE` from log monitors, as an object or a JSON string. */
  logs_sample: z.unknown().optional(),
});
export type DatadogWebhook = z.infer<typeof DatadogWebhookSchema>;

/** "env:prod, monitor, service:checkout" → {env: 'prod', service: 'checkout'}; bare tags are dropped. */
export function parseTags(list: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (list ?? '').split(',')) {
    const tag = part.trim();
    const colon = tag.indexOf(':');
    if (colon <= 0) continue;
    const key = tag.slice(0, colon).trim().toLowerCase();
    if (!(key in out)) out[key] = tag.slice(colon + 1).trim();
  }
  return out;
}

/** Order-insensitive scope, so "service:a, env:b" and "env:b,service:a" give one fingerprint. */
const normaliseScope = (scope: string | undefined): string =>
  (scope ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort()
    .join(',') || '*';

/** "[P2] [Triggered on {service:checkout}] Checkout 5xx" → "Checkout 5xx". */
const stripTitlePrefixes = (title: string): string => title.replace(/^(\s*\[[^\]]*\]\s*)+/, '').trim();

const stripMarkdownFence = (text: string): string => text.replace(/%%%/g, '').trim();

const BODY_METRIC = /\b(error_rate|latency_ms|latency|availability)\s*[=:]\s*((?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*(?:%|ms|s)?)/gi;

function metricsFromBody(body: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (body ?? '').matchAll(BODY_METRIC)) {
    const key = m[1]!.toLowerCase();
    if (!(key in out)) out[key] = m[2]!.replace(/\s+/g, '');
  }
  return out;
}

function sampleLines(sample: unknown): string[] {
  let value = sample;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  const parsed = LOGS_SAMPLE.safeParse(value);
  if (!parsed.success) return [];
  return (parsed.data.rows ?? []).map((r) => r.message?.trim() ?? '').filter(Boolean);
}

type Transition = 'firing' | 'resolved' | 'unknown';
function classifyTransition(transition: string, alertType: string | undefined): Transition {
  const t = transition.toLowerCase();
  if (t.includes('recovered') || t === 'resolved') return 'resolved';
  if (/trigger|warn|no data|renotify/.test(t)) return 'firing';
  return alertType?.toLowerCase() === 'success' ? 'resolved' : 'unknown';
}

function severityOf(dd: DatadogWebhook): string | undefined {
  const t = dd.transition!.toLowerCase();
  // A Warn is below the monitor's alert threshold whatever its priority; No Data is a suspicion, not a breach.
  if (t.includes('warn') || t.includes('no data')) return 'warning';
  if (dd.priority) return dd.priority;
  const type = dd.alert_type?.toLowerCase();
  return type === 'success' ? 'info' : dd.alert_type;
}

export function normaliseDatadog(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const dd = parseWith(DatadogWebhookSchema, body, 'Datadog');
  const warnings: string[] = [];
  const alertId = dd.alert_id!;

  const eventTime = [parseTime(dd.date), parseTime(dd.last_updated), parseTime(ctx.receivedAt)]
    .map((p) => (p.ok ? p.value : undefined))
    .find((v) => v !== undefined);
  if (!eventTime) throw invalidInput('Datadog', [{ path: ['date'], message: 'required: set "date": "$DATE" in the payload' }]);

  const transition = classifyTransition(dd.transition!, dd.alert_type);
  if (transition === 'unknown') warnings.push(`unrecognised transition "${dd.transition}"; treated as firing`);
  const status = transition === 'resolved' ? 'resolved' : 'firing';

  const scopeTags = parseTags(dd.scope);
  const tags = parseTags(dd.tags);
  let serviceName = pick(['service'], scopeTags, tags);
  if (!serviceName) {
    serviceName = `monitor-${alertId}`;
    warnings.push(`no service tag in scope or tags; using "${serviceName}" as the service`);
  }

  const severity = severityOf(dd);
  const level = status === 'resolved' ? 'info' : logLevelForSeverity(severity);
  const text = dd.body ? stripMarkdownFence(dd.body) : '';
  const messages = [text, dd.alert_status ?? '', ...sampleLines(dd.logs_sample)].filter(Boolean);
  const logs: LogLine[] | undefined = messages.length ? messages.map((m) => logLine(level, m, eventTime)) : undefined;

  const signal = compact<Signal>({
    orgId: ctx.orgId,
    projectId: ctx.projectId ?? pick(['project_id'], scopeTags, tags),
    serviceName,
    environment: pick(['env', 'environment'], scopeTags, tags) ?? DEFAULT_ENVIRONMENT,
    metrics: metricsFrom([metricsFromBody(text)], (m) => warnings.push(`body: ${m}`)),
    logs,
    correlationKey: pick(['correlation_key'], scopeTags, tags),
    traceId: pick(['trace_id'], scopeTags, tags),
    status,
    source: ctx.source ?? 'datadog',
    title: cleanTitle(stripTitlePrefixes(dd.title ?? dd.alert_title ?? '') || `Datadog monitor ${alertId}`),
    severity,
    startsAt: eventTime,
    endsAt: status === 'resolved' ? eventTime : undefined,
    fingerprint: `${alertId}{${normaliseScope(dd.scope)}}`,
    groupKey: dd.aggreg_key,
    raw: body,
  });
  return { signals: [signal], warnings };
}
