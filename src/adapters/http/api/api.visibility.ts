import type { MiddlewareHandler } from 'hono';
import { findIncidentById } from '../../../adapters/db/incident.queries';
import { tokenActor } from '../../../app/api-tokens.service';
import type { AppDeps } from '../../../app/deps';
import { canViewerSee } from '../../../app/privacy.service';
import type { ApiEnv } from './api.guards';
import { problem } from './api.problem';

/**
 * Every route under an incident (`/orgs/{orgId}/incidents/{incidentId}/…`): a private incident the token may not see
 * answers exactly what a missing one does (404), before any handler runs — so a route added later cannot leak one
 * by forgetting the check (services that refuse with 403 would reveal that it exists).
 */
export const incidentVisibility =
  (deps: Pick<AppDeps, 'db'>): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    const incidentId = c.req.param('incidentId');
    const token = c.get('token');
    if (incidentId && token) {
      const row = await findIncidentById(deps.db, token.orgId, incidentId);
      if (row && !(await canViewerSee(deps.db, tokenActor(token), row)))
        return problem(c, 404, 'not_found', 'No such incident in this organisation.');
    }
    await next();
  };
