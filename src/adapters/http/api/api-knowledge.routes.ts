import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { apiPostmortems, apiRelated } from '../../../app/api-knowledge.service';
import type { AppDeps } from '../../../app/deps';
import { createRunbookService } from '../../../app/runbook.service';
import { clearEntry, listWatchlist } from '../../../app/watchlist.service';
import { decodeEntryRef, encodeEntryRef } from '../../../watchlist/digest.types';
import { callerOf } from './api-incidents.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { problem } from './api.problem';
import { IncidentParams, OrgParams } from './api.schemas';

const Related = z
  .object({
    incidentId: z.string(),
    number: z.number().int(),
    title: z.string(),
    status: z.string(),
    score: z.number(),
    reasons: z.array(z.string()),
  })
  .openapi('RelatedIncident');
const Postmortem = z
  .object({
    incidentId: z.string(),
    incidentNumber: z.number().int(),
    title: z.string(),
    version: z.number().int(),
    generator: z.string(),
    model: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    prUrl: z.string().nullable(),
    markdown: z.string(),
  })
  .openapi('Postmortem');
const Runbook = z
  .object({
    service: z.string(),
    source: z.string(),
    markdown: z.string().nullable(),
    url: z.string().nullable(),
    steps: z.array(z.string()),
    updatedAt: z.string().nullable(),
  })
  .openapi('Runbook');
const WatchEntry = z
  .object({
    id: z.string().openapi({ description: 'Opaque entry id for /watchlist/{entryId}/clear' }),
    service: z.string(),
    environment: z.string(),
    status: z.string(),
    riskScore: z.number(),
    title: z.string(),
    firstDetectedAt: z.string(),
    lastUpdatedAt: z.string(),
    incident: z.object({ id: z.string(), number: z.number().int(), status: z.string() }).nullable(),
  })
  .openapi('WatchEntry');
const Watchlist = z
  .object({ items: z.array(WatchEntry), totals: z.object({ breached: z.number().int(), atRisk: z.number().int() }) })
  .openapi('Watchlist');
const limitQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(10)
    .openapi({ param: { name: 'limit', in: 'query' } }),
});
const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' } }),
});
const entryId = (ref: { service: string; environment: string }) =>
  Buffer.from(encodeEntryRef(ref), 'utf8').toString('base64url');

/** Knowledge and watchlist reads (and clearing a watchlist entry), on the shared services where they exist. */
export function knowledgeRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  const runbooks = createRunbookService({ db: deps.db, files: deps.runbooks, now: deps.now });
  const watchDeps = { db: deps.db, defaults: deps.config.digest, now: deps.now };

  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/incidents/{incidentId}/related',
      tag: 'Knowledge',
      summary: 'Related past incidents, best first',
      params: IncidentParams,
      query: limitQuery,
      ok: { status: 200, schema: z.object({ items: z.array(Related) }), description: 'Related incidents' },
    }),
    async (c) => {
      const rel = await apiRelated(
        deps,
        callerOf(c),
        input<{ incidentId: string }>(c, 'param').incidentId,
        input<{ limit: number }>(c, 'query').limit,
      );
      const items = rel.map((r) => ({
        incidentId: r.incidentId,
        number: r.number,
        title: r.title,
        status: String(r.status),
        score: Number(r.score ?? 0),
        reasons: r.why,
      }));
      return c.json({ items }, 200);
    },
  );

  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/postmortems',
      tag: 'Knowledge',
      summary: "Every incident's latest postmortem draft, newest first",
      params: OrgParams,
      query: pageQuery,
      ok: { status: 200, schema: z.object({ items: z.array(Postmortem) }), description: 'Postmortems' },
    }),
    async (c) => {
      return c.json(
        { items: await apiPostmortems(deps, callerOf(c), input<{ limit: number }>(c, 'query').limit) },
        200,
      );
    },
  );

  const ServiceParams = OrgParams.extend({
    service: z
      .string()
      .min(1)
      .max(100)
      .openapi({ param: { name: 'service', in: 'path' } }),
  });
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/runbooks/{service}',
      tag: 'Knowledge',
      summary: "A service's runbook (the workspace's stored one, else RUNBOOKS_DIR)",
      params: ServiceParams,
      ok: { status: 200, schema: Runbook, description: 'The runbook' },
    }),
    async (c) => {
      const r = await runbooks.show({
        orgId: callerOf(c).orgId,
        actor: callerOf(c).actor,
        service: input<{ service: string }>(c, 'param').service,
      });
      if (!r.runbook) return problem(c, 404, 'not_found', `No runbook for “${r.service}”.`);
      const rb = r.runbook;
      const steps = (rb.runbook?.sections ?? []).flatMap((sec) => sec.steps.map((st) => st.text));
      return c.json(
        {
          service: rb.service,
          source: rb.source,
          markdown: rb.markdown ?? null,
          url: rb.url ?? null,
          steps,
          updatedAt: rb.updatedAt ?? null,
        },
        200,
      );
    },
  );

  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/watchlist',
      tag: 'Watchlist',
      summary: 'Services at risk or breached, worst first',
      params: OrgParams,
      query: pageQuery,
      ok: { status: 200, schema: Watchlist, description: 'The watchlist' },
    }),
    async (c) => {
      const v = await listWatchlist(watchDeps, {
        orgId: callerOf(c).orgId,
        actor: callerOf(c).actor,
        limit: input<{ limit: number }>(c, 'query').limit,
      });
      const items = v.entries.map((e) => ({
        id: entryId(e),
        service: e.service,
        environment: e.environment,
        status: e.status,
        riskScore: e.riskScore,
        title: e.title,
        firstDetectedAt: e.firstDetectedAt,
        lastUpdatedAt: e.lastUpdatedAt,
        incident: e.incident ? { id: e.incident.id, number: e.incident.number, status: e.incident.status } : null,
      }));
      return c.json({ items, totals: v.totals }, 200);
    },
  );

  const EntryParams = OrgParams.extend({
    entryId: z
      .string()
      .min(1)
      .max(400)
      .openapi({ param: { name: 'entryId', in: 'path' } }),
  });
  const Cleared = z
    .object({ outcome: z.enum(['cleared', 'already_clear']), service: z.string(), environment: z.string() })
    .openapi('WatchEntryCleared');
  register(
    api,
    apiRoute({
      method: 'post',
      path: '/orgs/{orgId}/watchlist/{entryId}/clear',
      tag: 'Watchlist',
      summary: 'Take an entry off the watchlist (a new alert puts it back)',
      params: EntryParams,
      ok: { status: 200, schema: Cleared, description: 'Cleared' },
    }),
    async (c) => {
      const ref = decodeEntryRef(
        Buffer.from(input<{ entryId: string }>(c, 'param').entryId, 'base64url').toString('utf8'),
      );
      if (!ref) return problem(c, 404, 'not_found', 'No such watchlist entry.');
      const r = await clearEntry(watchDeps, { orgId: callerOf(c).orgId, actor: callerOf(c).actor, ref });
      if (r.outcome === 'not_found') return problem(c, 404, 'not_found', 'No such watchlist entry.');
      return c.json({ outcome: r.outcome, service: r.service, environment: r.environment }, 200);
    },
  );
}
