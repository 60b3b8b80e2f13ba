import type { AppDeps } from '../../app/deps';
import { createHeartbeatService } from '../../app/heartbeat.service';
import { presentedToken } from './connectors.route';
import { tokenMatches } from '../db/connector.repo';
import { lookupConnector } from './connector-lookup';
import type { RouteModule } from './http.app';

/**
 * Heartbeat connectors share `POST /connectors/:id/webhook` with the alert connectors: any authenticated
 * POST is a ping, whatever its body (Alertmanager's always-firing Watchdog alert works as is). Registered
 * before connectorsRoute; every other kind is handed on.
 */
export const heartbeatRoute: RouteModule = (app, deps: AppDeps) => {
  const heartbeats = createHeartbeatService(deps);
  app.use('/connectors/:connectorId/webhook', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const connector = await lookupConnector(c, deps.db);
    if (!connector?.heartbeat) return next();
    const id = connector.id;
    const token = presentedToken(c.req.header('authorization'));
    if (!token || !tokenMatches(token, connector.tokenHash))
      return c.json(
        {
          error: 'bad_token',
          message: 'Send the heartbeat token as `Authorization: Bearer <token>` (or as the HTTP Basic password).',
        },
        401,
      );
    if (connector.revokedAt)
      return c.json(
        {
          error: 'revoked_connector',
          message: `This connector was revoked at ${connector.revokedAt}; create a new one.`,
        },
        401,
      );
    const r = await heartbeats.ping(id);
    return c.json({ heartbeat: r.name, cleared: r.cleared, nextDeadline: r.nextDeadline }, 202);
  });
};
