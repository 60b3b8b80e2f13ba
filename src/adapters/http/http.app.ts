import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps } from '../../app/deps';
import type { SlackStatus } from '../slack/slack-health';
import { databaseUnavailableResponse } from './db-unavailable';
import type { Metrics } from '../metrics/metrics';

export type RouteModule = (app: Hono, deps: AppDeps) => void;

/** Request timing and counting, labelled by the matched route (not the raw path: ids would explode cardinality). */
export const metricsMiddleware = (metrics: Metrics) => async (c: import('hono').Context, next: () => Promise<void>) => {
  const end = metrics.httpDuration.startTimer();
  await next();
  const route = c.req.routePath || 'unmatched';
  end({ route });
  metrics.httpRequests.inc({ route, status: String(c.res.status) });
};

/** What /readyz reports besides the database (which alone decides readiness). */
export interface ReadinessProbes {
  slack?: () => SlackStatus;
}

export function createHttpApp(deps: AppDeps, metrics: Metrics, routes: RouteModule[] = [], probes: ReadinessProbes = {}) {
  const app = new Hono();
  app.use('*', metricsMiddleware(metrics));
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Ready = the database answers: alerts and commands are then taken (and Slack effects queue in the
  // outbox while Slack is away). Slack's state is reported, and `degraded` lists what is not well.
  app.get('/readyz', async (c) => {
    const slack = probes.slack?.();
    const degraded = slack && slack.state !== 'ok' ? ['slack'] : [];
    const slackPart = slack ? { slack } : {};
    try {
      await sql`select 1`.execute(deps.db);
      return c.json({ ok: true, database: 'reachable', ...slackPart, degraded });
    } catch (e) {
      c.header('retry-after', '5');
      const error = e instanceof Error ? e.message : String(e);
      return c.json({ ok: false, database: 'unreachable', error, ...slackPart, degraded: ['database', ...degraded] }, 503);
    }
  });
  app.get('/metrics', async (c) => c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  for (const r of routes) r(app, deps);
  app.notFound((c) => c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    const unavailable = databaseUnavailableResponse(c, err, deps.logger);
    if (unavailable) {
      metrics.databaseUnavailable.inc({ surface: 'http' });
      return unavailable;
    }
    deps.logger.error({ err }, 'unhandled HTTP error');
    return c.json({ error: 'internal_error', message: 'Something went wrong; nothing was stored.' }, 500);
  });
  return app;
}
