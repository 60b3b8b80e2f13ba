import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps } from '../../app/deps';
import type { Metrics } from './metrics';

export type RouteModule = (app: Hono, deps: AppDeps) => void;

/** Request timing and counting, labelled by the matched route (not the raw path: ids would explode cardinality). */
export const metricsMiddleware = (metrics: Metrics) => async (c: import('hono').Context, next: () => Promise<void>) => {
  const end = metrics.httpDuration.startTimer();
  await next();
  const route = c.req.routePath || 'unmatched';
  end({ route });
  metrics.httpRequests.inc({ route, status: String(c.res.status) });
};

export function createHttpApp(deps: AppDeps, metrics: Metrics, routes: RouteModule[] = []) {
  const app = new Hono();
  app.use('*', metricsMiddleware(metrics));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    try {
      await sql`select 1`.execute(deps.db);
      return c.json({ ok: true, database: 'reachable' });
    } catch (e) {
      return c.json({ ok: false, database: 'unreachable', error: e instanceof Error ? e.message : String(e) }, 503);
    }
  });
  app.get('/metrics', async (c) => c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  for (const r of routes) r(app, deps);
  app.notFound((c) => c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err }, 'unhandled HTTP error');
    return c.json({ error: 'internal_error', message: 'Something went wrong; nothing was stored.' }, 500);
  });
  return app;
}
