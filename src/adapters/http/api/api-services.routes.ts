import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { tokenActor } from '../../../app/api-tokens.service';
import type { AppDeps } from '../../../app/deps';
import { serviceHealth, viewHealthGrid, viewSlos } from '../../../app/health-grid.service';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { OrgParams } from './api.schemas';

const StatusEnum = z.enum(['healthy', 'at_risk', 'breached', 'unknown']).openapi('HealthStatus');
const GridSlo = z
  .object({
    name: z.string(),
    service: z.string(),
    target: z.number(),
    window: z.string(),
    status: StatusEnum,
    attainment: z.number().optional().openapi({ description: 'SLI over the window (last good evaluation)' }),
    budgetRemaining: z.number().optional().openapi({ description: '1 = untouched, 0 = spent, negative = overspent' }),
    burnRate: z.number().optional().openapi({ description: 'Current burn (1h window)' }),
    evaluatedAt: z.string().optional(),
    problem: z.string().optional(),
  })
  .openapi('ServiceSlo');
const ServiceHealth = z
  .object({
    service: z.string(),
    owner: z.string().optional(),
    tier: z.number().int().optional(),
    uncatalogued: z.boolean().optional(),
    status: StatusEnum,
    reasons: z.array(z.string()),
    slos: z.array(GridSlo),
    watch: z.object({ service: z.string(), environment: z.string(), status: z.string(), title: z.string() }).optional(),
    incidents: z.array(
      z.object({
        id: z.string(),
        number: z.number().int(),
        title: z.string(),
        severity: z.string(),
        status: z.string(),
        service: z.string().nullable(),
        channelId: z.string().nullable(),
      }),
    ),
  })
  .openapi('ServiceHealth');
const Evaluation = z
  .object({
    at: z.string(),
    status: StatusEnum,
    alert: z.enum(['page', 'ticket', 'none']),
    sli: z.number().optional(),
    budgetRemaining: z.number().optional(),
    burnRates: z.record(z.string(), z.number()).optional(),
    reason: z.string().optional(),
    problem: z.string().optional(),
  })
  .openapi('SloEvaluation');
const Slo = z
  .object({
    name: z.string(),
    displayName: z.string().optional(),
    service: z.string(),
    environment: z.string(),
    target: z.number(),
    window: z.string(),
    file: z.string(),
    latest: Evaluation.optional(),
    lastGood: Evaluation.optional(),
  })
  .openapi('Slo');
const Problem = z
  .object({ file: z.string(), name: z.string().optional(), message: z.string() })
  .openapi('SloFileProblem');
const ServiceParams = OrgParams.extend({
  name: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'checkout' }),
});

const evaluation = (
  e: (z.infer<typeof Evaluation> & { slo?: string; service?: string; target?: number }) | undefined,
) => {
  if (!e) return undefined;
  const { slo: _s, service: _v, target: _t, ...rest } = e;
  return rest;
};

/** The health grid and SLOs (viewer+): `GET /services`, `GET /services/{name}/health`, `GET /slos`. */
export function serviceRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/services',
      tag: 'Services',
      summary: 'Every catalog service with its health: owner, tier, colour, SLOs, watchlist, open incidents',
      params: OrgParams,
      ok: {
        status: 200,
        schema: z.object({ items: z.array(ServiceHealth), sloProblems: z.number().int() }),
        description: 'The health grid',
      },
    }),
    async (c) => {
      const token = c.get('token');
      const grid = await viewHealthGrid(deps, { orgId: token.orgId, actor: tokenActor(token) });
      return c.json({ items: grid.rows, sloProblems: grid.sloProblems }, 200);
    },
  );
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/services/{name}/health',
      tag: 'Services',
      summary: "One service's row of the health grid",
      params: ServiceParams,
      ok: { status: 200, schema: ServiceHealth, description: 'The service' },
    }),
    async (c) => {
      const token = c.get('token');
      const { name } = input<{ name: string }>(c, 'param');
      return c.json(await serviceHealth(deps, { orgId: token.orgId, actor: tokenActor(token), service: name }), 200);
    },
  );
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/slos',
      tag: 'Services',
      summary: 'The OpenSLO definitions (SLOS_PATH) with their latest and last good evaluation, and file problems',
      params: OrgParams,
      ok: { status: 200, schema: z.object({ items: z.array(Slo), problems: z.array(Problem) }), description: 'SLOs' },
    }),
    async (c) => {
      const token = c.get('token');
      const r = await viewSlos(deps, { orgId: token.orgId, actor: tokenActor(token) });
      const items = r.slos.map((s) => ({ ...s, latest: evaluation(s.latest), lastGood: evaluation(s.lastGood) }));
      return c.json({ items, problems: r.problems }, 200);
    },
  );
}
