import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../../../app/deps';
import type { RouteModule } from '../http.app';
import { incidentRoutes } from './api-incidents.routes';
import { knowledgeRoutes } from './api-knowledge.routes';
import { orgRoutes } from './api-org.routes';
import { webhookRoutes } from './api-webhooks.routes';
import { changeRoutes } from './api-changes.routes';
import { serviceRoutes } from './api-services.routes';
import { rollbackRoutes } from './api-rollback.routes';
import { followUpRoutes } from './api-followups.routes';
import { postmortemRoutes } from './api-postmortem.routes';
import { insightsRoutes } from './api-insights.routes';
import { timelineRoutes } from './api-timeline.routes';
import { incidentSignalRoutes } from './api-incident-signals.routes';
import { docsHtml } from './api.docs';
import {
  type ApiEnv,
  apiAuth,
  idempotency,
  jsonBody,
  orgScope,
  RATE_LIMIT,
  rateLimit,
  streamLimit,
} from './api.guards';
import { problem } from './api.problem';
import { incidentVisibility } from './api.visibility';

const INFO = {
  title: 'Runbook Revenant API',
  version: '1.0.0',
  description: `Org-scoped REST API. Authenticate with \`Authorization: Bearer <token>\` (\`revenant token create\`). Errors are application/problem+json with a stable \`code\`. Writes accept \`Idempotency-Key\`. Rate limit per token: ${RATE_LIMIT.perMinute} requests/min, bursts of ${RATE_LIMIT.burst}.`,
};

/** The OpenAPI document of every API route (also what tests validate responses against). */
export function apiDocument(api: OpenAPIHono<ApiEnv>) {
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`rvt_…`).',
  });
  return api.getOpenAPI31Document({ openapi: '3.1.0', info: INFO, servers: [{ url: '/api/v1' }] });
}

export function createApi(deps: AppDeps) {
  const api = new OpenAPIHono<ApiEnv>({
    // Every schema problem at once, as RFC 9457 with the list in `errors`.
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((i) => ({
        in: result.target,
        path: i.path.join('.') || '(body)',
        message: i.message,
      }));
      return problem(
        c,
        400,
        'invalid_input',
        `The request has ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`,
        { errors },
      );
    },
  });
  api.use('/orgs', apiAuth(deps), rateLimit());
  api.use('/orgs/*', apiAuth(deps), rateLimit(), orgScope, streamLimit, jsonBody, idempotency(deps));
  api.use('/orgs/:orgId/incidents/:incidentId', incidentVisibility(deps));
  api.use('/orgs/:orgId/incidents/:incidentId/*', incidentVisibility(deps));
  orgRoutes(api, deps);
  incidentRoutes(api, deps);
  knowledgeRoutes(api, deps);
  webhookRoutes(api, deps);
  changeRoutes(api, deps);
  serviceRoutes(api, deps);
  rollbackRoutes(api, deps);
  followUpRoutes(api, deps);
  insightsRoutes(api, deps);
  postmortemRoutes(api, deps);
  timelineRoutes(api, deps);
  incidentSignalRoutes(api, deps);
  api.notFound((c) => problem(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`));
  api.onError((err, c) => {
    deps.logger.error({ err }, 'unhandled API error');
    return problem(c, 500, 'internal_error', 'Something went wrong; nothing was stored.');
  });
  return api;
}

/** `/api/v1/*`, `/api/v1/openapi.json` and `/api/docs`. */
export const apiRouteModule: RouteModule = (app, deps) => {
  const api = createApi(deps);
  const doc = apiDocument(api);
  const json = JSON.stringify(doc);
  const html = docsHtml(doc as never);
  app.get('/api/v1/openapi.json', (c) => c.body(json, 200, { 'content-type': 'application/json' }));
  app.get('/api/docs', (c) => c.html(html));
  app.route('/api/v1', api);
};
