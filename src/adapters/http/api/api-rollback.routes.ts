import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../../../app/deps';
import { planRollback, requestRollback, rollbackDepsOf } from '../../../app/rollback.service';
import { rollbackTimes } from '../../../app/rollback-reads.service';
import type { StoredRollback } from '../../db/rollback.repo';
import { callerOf } from './api-incident-reads.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { IncidentParams, OrgParams } from './api.schemas';

const Rollback = z
  .object({
    id: z.string(),
    incidentId: z.string(),
    service: z.string(),
    environment: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    status: z.enum(['requested', 'started', 'completed', 'failed', 'timed_out']),
    requestedBy: z.string(),
    requestedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    durationMs: z.number().int().optional(),
    reason: z.string().optional(),
    target: z
      .string()
      .openapi({ description: 'How it runs, e.g. "GitHub Actions workflow rollback.yml in acme/checkout (main)"' }),
  })
  .openapi('Rollback');
const Plan = z
  .object({
    service: z.string(),
    environment: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    target: z.string(),
  })
  .openapi('RollbackPlan');
const RollbackBody = z
  .object({
    service: z.string().min(1).max(200).optional(),
    environment: z.string().min(1).max(100).optional(),
    /** The versions the caller confirms; refused with 409 when the plan differs. */
    fromVersion: z.string().min(1).max(200).optional(),
    toVersion: z.string().min(1).max(200).optional(),
    dryRun: z
      .boolean()
      .optional()
      .openapi({ description: 'Only answer the plan (from → to, how); nothing is written.' }),
  })
  .strict()
  .openapi('RollbackRequest');
type RollbackBody = z.infer<typeof RollbackBody>;

const view = (r: StoredRollback, targetText: string) => ({
  id: r.id,
  incidentId: r.incidentId,
  service: r.service,
  environment: r.environment,
  fromVersion: r.fromVersion,
  toVersion: r.toVersion,
  status: r.status,
  requestedBy: r.requestedBy,
  requestedAt: r.requestedAt,
  ...(r.startedAt ? { startedAt: r.startedAt } : {}),
  ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
  ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
  ...(r.reason ? { reason: r.reason } : {}),
  target: targetText,
});

/** Rollback from an incident (SRE lead+ token, as in Slack: the call is the confirmation) and time to rollback. */
export function rollbackRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'post',
      path: '/orgs/{orgId}/incidents/{incidentId}/rollback',
      tag: 'Changes',
      summary: "Roll the incident's suspect deployment back to the environment's last good version (sre_lead+)",
      params: IncidentParams,
      body: RollbackBody,
      ok: {
        status: 200,
        schema: z.object({ plan: Plan, rollback: Rollback.optional() }),
        description: 'Requested (or the plan, with dryRun)',
      },
    }),
    async (c) => {
      const caller = callerOf(c);
      const b = input<RollbackBody>(c, 'json');
      const base = {
        orgId: caller.orgId,
        actor: caller.actor,
        incidentId: input<{ incidentId: string }>(c, 'param').incidentId,
        service: b.service,
        environment: b.environment,
      };
      const rdeps = rollbackDepsOf(deps);
      const planOf = (p: Awaited<ReturnType<typeof planRollback>>) => ({
        service: p.service,
        environment: p.environment,
        fromVersion: p.fromVersion,
        toVersion: p.toVersion,
        target: p.targetText,
      });
      if (b.dryRun) return c.json({ plan: planOf(await planRollback(rdeps, base)) }, 200);
      const r = await requestRollback(rdeps, {
        ...base,
        expectedFrom: b.fromVersion,
        expectedTo: b.toVersion,
        idempotencyKey: caller.idempotencyKey,
      });
      const plan = planOf(r.plan);
      return c.json({ plan, ...(r.rollback ? { rollback: view(r.rollback, plan.target) } : {}) }, 200);
    },
  );
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/rollbacks/times',
      tag: 'Changes',
      summary: 'Time to rollback (requested → successful deployment of the target version) of completed rollbacks',
      params: OrgParams,
      query: z.object({ since: z.string().optional(), until: z.string().optional() }).strict(),
      ok: {
        status: 200,
        schema: z.object({
          medianMs: z.number().optional(),
          items: z.array(
            z.object({
              rollbackId: z.string(),
              incidentId: z.string(),
              service: z.string(),
              environment: z.string(),
              fromVersion: z.string(),
              toVersion: z.string(),
              requestedAt: z.string(),
              completedAt: z.string(),
              durationMs: z.number(),
            }),
          ),
        }),
        description: 'Completed rollbacks requested in the window, oldest first',
      },
    }),
    async (c) => {
      const q = input<{ since?: string; until?: string }>(c, 'query');
      return c.json(await rollbackTimes(deps, { orgId: c.get('token').orgId, ...q }), 200);
    },
  );
}
