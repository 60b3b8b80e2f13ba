import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../../app/deps';
import { listIncidentSignals, MAX_SIGNALS_LISTED } from '../../../app/incident-signals.service';
import { CORRELATION_RULES } from '../../../incidents/correlation.types';
import { BASE, TAG, callerOf } from './api-incident-reads.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import * as S from './api.schemas';

const iso = z.string().openapi({ format: 'date-time', example: '2026-12-02T09:55:00.000Z' });

const Correlation = z
  .object({
    rule: z.enum(CORRELATION_RULES),
    reason: z.string().openapi({ example: 'checkout depends on payments' }),
    evidence: z
      .object({
        fingerprint: z.string().optional(),
        correlationKey: z.string().optional(),
        traceId: z.string().optional(),
        service: z.string().optional(),
        environment: z.string().optional(),
        incidentService: z.string().optional(),
        path: z
          .array(z.string())
          .optional()
          .openapi({ example: ['checkout', 'payments'] }),
        depth: z.number().int().optional(),
        windowMs: z.number().optional(),
        sinceLastActivityMs: z.number().optional(),
        risk: z.string().optional(),
        reasons: z.array(z.string()).optional(),
        tier: z.number().int().optional(),
      })
      .openapi({ description: 'What the rule matched on: key, trace id, window, dependency path…' }),
  })
  .openapi('Correlation');

const ExplainedSignal = z
  .object({
    fingerprint: z.string(),
    title: z.string(),
    service: z.string(),
    environment: z.string(),
    source: z.string(),
    status: z.string(),
    risk: z.string(),
    attachedAt: iso,
    lastSeenAt: iso,
    resolvedAt: iso.nullable(),
    correlationKey: z.string().nullable(),
    traceId: z.string().nullable(),
    correlation: Correlation.nullable().openapi({
      description: 'Why it joined; null for signals attached before reasons were recorded.',
    }),
  })
  .openapi('ExplainedSignal');

const SignalList = z
  .object({
    incidentId: z.string(),
    number: z.number().int(),
    total: z.number().int(),
    items: z.array(ExplainedSignal),
  })
  .openapi('IncidentSignals');

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_SIGNALS_LISTED).default(100).openapi({ example: 100 }),
});

/** `GET …/incidents/{id}/signals`: the incident's signals, newest first, each with the rule and evidence. */
export function incidentSignalRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'get',
      path: `${BASE}/{incidentId}/signals`,
      tag: TAG,
      summary: 'Signals of an incident, newest first, with why each joined (rule and evidence)',
      params: S.IncidentParams,
      query: Query,
      ok: { status: 200, schema: SignalList, description: 'The signals' },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { incidentId } = input<{ incidentId: string }>(c, 'param');
      const { limit } = input<{ limit: number }>(c, 'query');
      const list = await listIncidentSignals(deps, { orgId: caller.orgId, actor: caller.actor, incidentId, limit });
      const items = list.signals.map((s) => ({
        ...s,
        resolvedAt: s.resolvedAt ?? null,
        correlationKey: s.correlationKey ?? null,
        traceId: s.traceId ?? null,
        correlation: s.correlation ?? null,
      }));
      return c.json({ incidentId: list.incidentId, number: list.number, total: list.total, items }, 200);
    },
  );
}
