import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { tokenActor } from '../../../app/api-tokens.service';
import { listEnvironments, listRecentChanges, recordChangesFromApi } from '../../../app/changes.service';
import type { AppDeps } from '../../../app/deps';
import { rollbackDepsOf } from '../../../app/rollback.service';
import { CHANGE_STATUSES } from '../../../changes/change.types';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { OrgParams } from './api.schemas';

const Change = z
  .object({
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    commitSha: z.string().optional(),
    ref: z.string().optional(),
    status: z.enum(CHANGE_STATUSES),
    url: z.string(),
    actor: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    statusAt: z.string(),
    source: z.string(),
    externalId: z.string(),
    unmapped: z.boolean(),
  })
  .openapi('Change');
const Environment = z
  .object({
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    deployedAt: z.string(),
    externalId: z.string(),
    source: z.string(),
    url: z.string(),
    actor: z.string(),
    latest: z.object({ version: z.string(), status: z.enum(CHANGE_STATUSES), at: z.string() }).optional(),
  })
  .openapi('Environment');

const ChangesQuery = z
  .object({
    service: z.string().min(1).max(200).optional(),
    environment: z.string().min(1).max(100).optional(),
    status: z.enum(CHANGE_STATUSES).optional(),
    since: z.string().optional().openapi({ description: 'RFC 3339; deployments started at or after' }),
    until: z.string().optional().openapi({ description: 'RFC 3339; deployments started at or before' }),
    limit: z.coerce.number().int().min(1).max(200).optional(),
  })
  .strict();
type ChangesQuery = z.infer<typeof ChangesQuery>;

// Documented loosely here; the generic change normaliser validates every field and names each problem.
const NewChange = z
  .object({
    service: z.string(),
    environment: z.string().optional(),
    version: z.string(),
    commitSha: z.string().optional(),
    ref: z.string().optional(),
    status: z.enum(CHANGE_STATUSES),
    url: z.string().optional(),
    actor: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    statusAt: z.string().optional(),
    source: z.string().optional(),
    externalId: z.string().optional(),
  })
  .openapi('NewChange');
const Recorded = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    stale: z.number().int(),
    unmapped: z.array(z.string()),
  })
  .openapi('ChangesRecorded');

/** Deployment history and current versions (viewer+), from the change connectors (docs/changes.md). */
export function changeRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/changes',
      tag: 'Changes',
      summary: 'Deployments, newest first by start',
      params: OrgParams,
      query: ChangesQuery,
      ok: { status: 200, schema: z.object({ items: z.array(Change) }), description: 'Deployments' },
    }),
    async (c) => {
      const q = input<ChangesQuery>(c, 'query');
      const token = c.get('token');
      const items = await listRecentChanges(
        { db: deps.db },
        { orgId: token.orgId, actor: tokenActor(token), ...q, limit: q.limit ?? 50 },
      );
      return c.json({ items: items.map(({ connectorId: _c, ...rest }) => rest) }, 200);
    },
  );
  register(
    api,
    apiRoute({
      method: 'post',
      path: '/orgs/{orgId}/changes',
      tag: 'Changes',
      summary: 'Record deployments in the generic change shape (responder+)',
      params: OrgParams,
      body: z.union([NewChange, z.array(NewChange).min(1).max(500)]),
      ok: { status: 200, schema: Recorded, description: 'Recorded (repeats count as duplicates)' },
    }),
    async (c) => {
      const token = c.get('token');
      const body = input<unknown>(c, 'json');
      const changesDeps = { ...deps, mapping: deps.changesMapping, rollback: rollbackDepsOf(deps) };
      return c.json(await recordChangesFromApi(changesDeps, { orgId: token.orgId, actor: tokenActor(token), body }), 200);
    },
  );
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/environments',
      tag: 'Changes',
      summary: "Each service and environment's current version (its last successful deployment)",
      params: OrgParams,
      query: z.object({ service: z.string().min(1).max(200).optional() }).strict(),
      ok: { status: 200, schema: z.object({ items: z.array(Environment) }), description: 'Current versions' },
    }),
    async (c) => {
      const { service } = input<{ service?: string }>(c, 'query');
      const token = c.get('token');
      return c.json(
        { items: await listEnvironments({ db: deps.db }, { orgId: token.orgId, actor: tokenActor(token), service }) },
        200,
      );
    },
  );
}
