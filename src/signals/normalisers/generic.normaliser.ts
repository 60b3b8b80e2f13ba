import { z } from 'zod';
import { normaliseLogLevel, SIGNAL_STATUSES, type NormaliseContext, type NormaliseResult, type Signal } from '../signal.types';
import { DEFAULT_ENVIRONMENT } from './alertmanager.normaliser';
import {
  cleanTitle,
  compact,
  fnv1a64,
  invalidInput,
  logLine,
  parseLatencyMs,
  parseRatio,
  parseTime,
  refineWith,
} from './normaliser.helpers';

/**
 * Generic JSON: the normalised signal itself, one object or an array of them, for senders we
 * have no dedicated connector for. `orgId` always comes from the connector; one in the body is
 * ignored (with a warning if it differs) so a sender can never write into another organisation.
 *
 * Lenient where senders differ: metrics accept ratios, percents ("7.2%", 7.2) and durations
 * ("620ms", "1.2s"); timestamps accept RFC 3339 or epoch; `environment` defaults to "default",
 * `source` to "generic", a log line's `timestamp` to the signal's `startsAt`, and `startsAt` to
 * the time the request was received. Without a `fingerprint`, one is derived from
 * source + service + environment + title + correlationKey, so repeats of one alert keep one identity.
 */

const text = z.string().trim().min(1);
const ratio = z.union([z.number(), z.string()]).transform(refineWith(parseRatio));
const latency = z.union([z.number(), z.string()]).transform(refineWith(parseLatencyMs));
const time = z.union([z.number(), z.string()]).transform(refineWith(parseTime));

export const GenericSignalSchema = z.object({
  orgId: z.string().optional(),
  projectId: text.optional(),
  serviceName: text,
  environment: text.optional(),
  metrics: z
    .object({ errorRate: ratio.optional(), latencyMs: latency.optional(), availability: ratio.optional() })
    .optional(),
  logs: z
    .array(z.object({ level: z.string().optional(), message: text, timestamp: time.optional() }))
    .optional(),
  correlationKey: text.optional(),
  traceId: text.optional(),
  status: z.enum(SIGNAL_STATUSES),
  source: text.optional(),
  title: text,
  severity: text.optional(),
  startsAt: time.optional(),
  endsAt: time.optional(),
  fingerprint: text.optional(),
  groupKey: text.optional(),
  raw: z.unknown().optional(),
});
export type GenericSignalInput = z.infer<typeof GenericSignalSchema>;

/** The identity of a generic alert that did not bring its own fingerprint. */
export function genericFingerprint(s: {
  source: string;
  serviceName: string;
  environment: string;
  title: string;
  correlationKey?: string;
}): string {
  return fnv1a64([s.source, s.serviceName, s.environment, s.title, s.correlationKey ?? ''].join('\u001f'));
}

export function normaliseGeneric(body: unknown, ctx: NormaliseContext): NormaliseResult {
  // Parse items one by one so problems are reported at their own index, not as a union mismatch.
  const items = Array.isArray(body) ? body : [body];
  const prefix = Array.isArray(body) ? (i: number) => [i] : () => [];
  const received = parseTime(ctx.receivedAt);
  const fallbackStart = received.ok ? received.value : undefined;
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const parsed: GenericSignalInput[] = [];
  items.forEach((item, i) => {
    const r = GenericSignalSchema.safeParse(item);
    if (!r.success) {
      for (const issue of r.error.issues) issues.push({ path: [...prefix(i), ...issue.path], message: issue.message });
      return;
    }
    if (r.data.startsAt === undefined && !fallbackStart) {
      issues.push({ path: [...prefix(i), 'startsAt'], message: 'required (RFC 3339 or epoch)' });
    }
    parsed.push(r.data);
  });
  if (issues.length) throw invalidInput('generic', issues);

  const warnings: string[] = [];
  const signals = parsed.map((item, i): Signal => {
    const where = Array.isArray(body) ? `[${i}]` : '(body)';
    if (item.orgId !== undefined && item.orgId !== ctx.orgId) {
      warnings.push(`${where}: orgId "${item.orgId}" in the body ignored; the connector's organisation is used`);
    }
    const startsAt = (item.startsAt ?? fallbackStart)!;
    const source = ctx.source ?? item.source ?? 'generic';
    const environment = item.environment ?? DEFAULT_ENVIRONMENT;
    const title = cleanTitle(item.title);
    const metrics = item.metrics ? compact(item.metrics) : undefined;
    return compact<Signal>({
      orgId: ctx.orgId,
      projectId: ctx.projectId ?? item.projectId,
      serviceName: item.serviceName,
      environment,
      metrics: metrics && Object.keys(metrics).length ? metrics : undefined,
      logs: item.logs?.map((l) => logLine(normaliseLogLevel(l.level), l.message, l.timestamp ?? startsAt)),
      correlationKey: item.correlationKey,
      traceId: item.traceId,
      status: item.status,
      source,
      title,
      severity: item.severity,
      startsAt,
      endsAt: item.status === 'resolved' ? item.endsAt : undefined,
      fingerprint:
        item.fingerprint ??
        genericFingerprint({ source, serviceName: item.serviceName, environment, title, correlationKey: item.correlationKey }),
      groupKey: item.groupKey,
      raw: item.raw ?? items[i],
    });
  });
  return { signals, warnings };
}
