import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppDeps } from '../../app/deps';
import type { RouteModule } from '../http/http.app';
import { mountAuthRoutes } from './console-auth.routes';
import { mountEventRoutes } from './console-events.routes';
import { mountIncidentRoutes } from './console-incidents.routes';
import { mountInsightsRoutes } from './console-insights.routes';
import { mountOpsRoutes } from './console-ops.routes';
import { type ConsoleEnv, readSession, requireConsoleUser, verifyCsrf } from './console-session';
import { orgPath } from './console.layout';
import { isDomainError } from '../../shared/domain-error';
import { projectRoot } from '../project-root';
import { DOMAIN_STATUS } from '../http/api/api.problem';
import { databaseUnavailableResponse } from '../http/db-unavailable';

/**
 * The console's sub-app, mounted at `/console`. Feature pages add routes under `/orgs/:org/…` (relative
 * paths): the session, the org scope, the role and CSRF are already checked there, and
 * `c.get('consoleUser')` is set.
 */
export type ConsoleApp = Hono<ConsoleEnv>;

// From the project root, not import.meta.url: this code also runs bundled into dist/main.js.
const ASSETS = join(projectRoot(), 'src/adapters/console/assets');
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/** Strict CSP (scripts and styles only from files of this origin), no framing, no sniffing, no referrer leaks. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('content-security-policy', CONSOLE_CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('x-frame-options', 'DENY');
  c.header('referrer-policy', 'same-origin');
  c.header('cross-origin-opener-policy', 'same-origin');
  if (c.req.url.startsWith('https://') || c.req.header('x-forwarded-proto') === 'https') c.header('strict-transport-security', 'max-age=31536000');
  if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
};

/** Read once at start: the asset folder is small and ships with the code (no build step). */
function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(ASSETS)) {
    const type = TYPES[extname(name)];
    if (type) out.set(name, { body: readFileSync(join(ASSETS, name)), type });
  }
  return out;
}

export function createConsoleApp(deps: AppDeps): ConsoleApp {
  const app = new Hono<ConsoleEnv>();
  app.use('*', securityHeaders);
  const assets = loadAssets();
  app.get('/assets/:name', (c) => {
    const a = assets.get(c.req.param('name'));
    if (!a) return c.text('Not found.', 404);
    return c.body(new Uint8Array(a.body), 200, { 'content-type': a.type, 'cache-control': 'no-cache' });
  });
  app.get('/', (c) => {
    const session = readSession(deps, c);
    return c.redirect(session?.ws[0] ? orgPath(session.ws[0].orgId, 'incidents') : '/console/sign-in', 302);
  });
  mountAuthRoutes(app, deps);

  const guard = requireConsoleUser(deps);
  app.use('/orgs/:org', guard);
  app.use('/orgs/:org/*', guard, verifyCsrf());
  app.get('/orgs/:org', (c) => c.redirect(orgPath(c.get('consoleUser').orgId, 'incidents'), 302));
  mountIncidentRoutes(app, deps);
  mountOpsRoutes(app, deps);
  mountEventRoutes(app, deps);
  // pages by other features are mounted here
  mountInsightsRoutes(app, deps);

  app.notFound((c) => c.text('Not found.', 404));
  app.onError((err, c) => {
    if (isDomainError(err)) return c.text(err.reason, DOMAIN_STATUS[err.code]);
    const unavailable = databaseUnavailableResponse(c, err, deps.logger);
    if (unavailable) return unavailable;
    deps.logger.error({ err, path: c.req.path }, 'console: unhandled error');
    return c.text('Something went wrong; nothing was stored. Try again in a moment.', 500);
  });
  return app;
}

/** `/console/*`: the web console (Sign in with Slack, incidents, health, deployments, postmortems). */
export const consoleRouteModule: RouteModule = (root, deps) => {
  root.route('/console', createConsoleApp(deps));
};
