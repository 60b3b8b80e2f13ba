import { z } from 'zod';
import type { NormaliseContext, NormaliseResult, SignalMetrics } from '../signal.types';
import {
  AlertmanagerAlertSchema,
  AlertmanagerWebhookSchema,
  mapPrometheusAlert,
  rawAlerts,
  truncationWarning,
} from './alertmanager.normaliser';
import { METRIC_KEYS, metricsFrom, parseWith } from './normaliser.helpers';

/**
 * Grafana unified alerting webhook contact point
 * (https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/).
 *
 * The Alertmanager v4 shape (version "1" here) plus `orgId`, `title`, `state` ("alerting" | "ok"),
 * `message`, and per alert `values` (query/expression ref ID → number, null when the rule has
 * none), `valueString` (older Grafana), dashboard/panel/silence URLs.
 * Grafana's `orgId` is Grafana's own organisation number; ours comes from the connector.
 *
 * Labels and annotations follow the Alertmanager conventions. Metrics may also come from the
 * rule's queries: name a query or expression's ref ID `error_rate`, `latency_ms` (or `latency`) or
 * `availability` and its value is used when no label/annotation of that name exists.
 * `values` wins over `valueString`; ref IDs match case-insensitively.
 */

export const GrafanaAlertSchema = AlertmanagerAlertSchema.extend({
  values: z.record(z.string(), z.number().nullable()).nullable().optional(),
  valueString: z.string().optional(),
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  imageURL: z.string().optional(),
  orgId: z.number().optional(),
});
export type GrafanaAlert = z.infer<typeof GrafanaAlertSchema>;

export const GrafanaWebhookSchema = AlertmanagerWebhookSchema.extend({
  alerts: z.array(GrafanaAlertSchema),
  orgId: z.number().optional(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
});
export type GrafanaWebhook = z.infer<typeof GrafanaWebhookSchema>;

// One entry of a valueString: "[ var='A' labels={service=checkout} value=0.072 ]"; pre-9.x used metric='…'.
const VALUE_STRING_ENTRY = /\[\s*(?:var|metric)='([^']*)'\s+labels=\{[^}]*\}\s+value=([^\s\]]+)\s*\]/g;

/** Parses `valueString` into ref ID → value; entries whose value is not numeric (null, NaN) are skipped. */
export function parseValueString(valueString: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!valueString) return out;
  for (const m of valueString.matchAll(VALUE_STRING_ENTRY)) {
    const n = Number(m[2]);
    if (m[1] && Number.isFinite(n)) out[m[1]] = n;
  }
  return out;
}

/** Ref IDs named after our metric keys become metrics; the rest (thresholds, reducers) are ignored. */
function metricsFromValues(alert: GrafanaAlert, warn: (m: string) => void): SignalMetrics | undefined {
  const fromValues = Object.entries(alert.values ?? {}).filter((e): e is [string, number] => e[1] !== null);
  const entries = fromValues.length ? fromValues : Object.entries(parseValueString(alert.valueString));
  const wanted = new Set<string>(Object.values(METRIC_KEYS).flat());
  const byKey: Record<string, string> = {};
  for (const [ref, value] of entries) {
    const key = ref.toLowerCase();
    if (wanted.has(key)) byKey[key] = String(value);
  }
  return metricsFrom([byKey], (m) => warn(`values: ${m}`));
}

export function normaliseGrafana(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const payload = parseWith(GrafanaWebhookSchema, body, 'Grafana');
  const warnings: string[] = [...truncationWarning('Grafana', payload.truncatedAlerts)];
  const raws = rawAlerts(body);
  const signals = payload.alerts.map((alert, i) => {
    const where = `alerts[${i}]`;
    return mapPrometheusAlert(alert, {
      ctx,
      source: ctx.source ?? 'grafana',
      groupKey: payload.groupKey,
      raw: raws[i],
      where,
      warnings,
      fallbackMetrics: metricsFromValues(alert, (m) => warnings.push(`${where}: ${m}`)),
    });
  });
  return { signals, warnings };
}
