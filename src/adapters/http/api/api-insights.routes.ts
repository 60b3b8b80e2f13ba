import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { tokenActor } from '../../../app/api-tokens.service';
import type { AppDeps } from '../../../app/deps';
import { getInsights } from '../../../app/insights.service';
import { SEVERITIES } from '../../../incidents/incident.types';
import { INSIGHT_WINDOWS, type InsightWindow } from '../../../insights/insights.types';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { OrgParams } from './api.schemas';

const Severity = z.enum(SEVERITIES);
const Duration = z
  .object({ count: z.number().int(), medianMs: z.number().nullable(), p90Ms: z.number().nullable() })
  .openapi('DurationStats', { description: 'Median (mean of the middle two for an even count) and nearest-rank p90' });
const Rate = z
  .object({ numerator: z.number().int(), denominator: z.number().int(), rate: z.number().nullable() })
  .openapi('Rate');
const Times = { incidents: z.number().int(), mtta: Duration, mttm: Duration, mttr: Duration };
const Counts = z.object({
  SEV1: z.number().int(),
  SEV2: z.number().int(),
  SEV3: z.number().int(),
  SEV4: z.number().int(),
});
const Target = z.object({ ackMs: z.number(), resolveMs: z.number() });

const Insights = z
  .object({
    window: z.enum(INSIGHT_WINDOWS),
    from: z.string(),
    to: z.string(),
    totals: z.object({
      ...Times,
      declared: z.number().int(),
      cancelled: z.number().int(),
      open: z.number().int(),
      resolved: z.number().int(),
    }),
    hiddenPrivate: z.number().int().openapi({ description: 'Private incidents counted in the totals only' }),
    bySeverity: z.array(z.object({ severity: Severity, ...Times })),
    byService: z.array(z.object({ service: z.string(), ...Times })),
    perWeek: z.array(z.object({ weekStart: z.string(), counts: Counts })),
    sla: Rate.extend({
      targets: z.object({ SEV1: Target, SEV2: Target, SEV3: Target, SEV4: Target }),
      bySeverity: z.array(Rate.extend({ severity: Severity })),
    }),
    postmortems: Rate,
    followUps: Rate,
    rollbacks: z.object({ count: z.number().int(), requestToComplete: Duration, declarationToComplete: Duration }),
  })
  .openapi('Insights');

/** The insights numbers (viewer+), the same use case as the console page and `/incident insights`. */
export function insightsRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/insights',
      tag: 'Insights',
      summary: 'MTTA/MTTM/MTTR, incidents per week, SLA, postmortem and follow-up completion (docs/insights.md)',
      params: OrgParams,
      query: z.object({ window: z.enum(INSIGHT_WINDOWS).optional().openapi({ description: 'Default 30d' }) }).strict(),
      ok: { status: 200, schema: Insights, description: 'Insights over the window ending now' },
    }),
    async (c) => {
      const { window } = input<{ window?: InsightWindow }>(c, 'query');
      const token = c.get('token');
      const result = await getInsights(
        { db: deps.db, now: deps.now, sla: deps.config.insights.sla },
        { orgId: token.orgId, actor: tokenActor(token), window: window ?? '30d' },
      );
      return c.json(result, 200);
    },
  );
}
