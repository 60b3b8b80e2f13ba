import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, Hono, Next } from 'hono';
import { z } from 'zod';
import { roleOf } from '../adapters/db/incident.queries';
import type { RouteModule } from '../adapters/http/http.app';
import type { AppDeps } from '../app/deps';
import { isDomainError } from '../shared/domain-error';
import { projectRoot } from '../adapters/project-root';
import * as act from './sandbox.actions';
import type { SandboxAlerts } from './sandbox.alerts';
import { type DigestStatus, sandboxPage, userOptions, type UserOption } from './sandbox.page';
import { HOME, renderFragments } from './sandbox.view';
import type { SandboxWorkspace } from './sandbox.workspace';

export interface SandboxRuntime {
  ws: SandboxWorkspace;
  alerts: SandboxAlerts;
  digest: DigestStatus & { run?: () => Promise<string> };
  defaultUser: string;
  defaultChannel: string;
}

// From the project root, not import.meta.url: this code also runs bundled into dist/main.js.
const asset = (name: string) => readFileSync(join(projectRoot(), 'src/sandbox/assets', name), 'utf8');

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * The page drives a bot with admin rights, so it answers only to this machine: the Host header must be a
 * loopback name (no DNS rebinding), and writes must be JSON (a cross-site form cannot send that without a
 * CORS preflight, which is never granted).
 */
async function localOnly(c: Context, next: Next) {
  if (!LOOPBACK_HOST.test(c.req.header('host') ?? '')) return c.json({ ok: false, error: 'The sandbox only answers on 127.0.0.1.' }, 403);
  if (c.req.method === 'POST' && !(c.req.header('content-type') ?? '').startsWith('application/json')) return c.json({ ok: false, error: 'Send JSON.' }, 415);
  await next();
}

const User = z.object({ user: z.string().min(1) });
const schemas = {
  send: User.extend({ channel: z.string().min(1), text: z.string().max(4000) }),
  action: User.extend({
    channelId: z.string().optional(),
    ts: z.string().optional(),
    ephemeral: z.boolean().optional(),
    viewId: z.string().optional(),
    type: z.string().min(1),
    actionId: z.string(),
    blockId: z.string(),
    value: z.string().optional(),
    text: z.string().optional(),
    selected: z.object({ value: z.string(), text: z.string() }).optional(),
  }),
  viewSubmit: User.extend({ viewId: z.string().min(1), values: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string()), z.null()]))) }),
  viewClose: User.extend({ viewId: z.string().min(1) }),
  shortcut: User.extend({ channelId: z.string().min(1), ts: z.string().min(1), callbackId: z.string().min(1) }),
  react: User.extend({ channelId: z.string().min(1), ts: z.string().min(1), name: z.string().regex(/^[a-z0-9_+-]+$/) }),
  dismiss: User.extend({ ts: z.string().min(1) }),
  alert: z.object({ scenario: z.string().min(1), phase: z.enum(['firing', 'resolved']) }),
};

async function users(deps: AppDeps, ws: SandboxWorkspace): Promise<UserOption[]> {
  return Promise.all(ws.humans().map(async (u) => ({ id: u.id, realName: u.realName, role: await roleOf(deps.db, ws.teamId, u.id, deps.config.adminUserIds) })));
}

/** Parses the JSON body, runs the action, and translates refusals once: 400/404 with the reason. */
function post<S extends z.ZodType>(app: Hono, path: string, schema: S, run: (body: z.infer<S>) => Promise<object> | object) {
  app.post(`/sandbox/api/${path}`, async (c) => {
    const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ ok: false, error: `Bad request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` }, 400);
    try {
      return c.json({ ok: true, ...(await run(parsed.data)) });
    } catch (e) {
      if (isDomainError(e)) return c.json({ ok: false, error: e.reason }, e.code === 'not_found' ? 404 : 400);
      throw e;
    }
  });
}

/** Server-sent "something changed" pings; the page then fetches fresh fragments. */
function events(ws: SandboxWorkspace, open: Set<() => void>) {
  return () => {
    let cleanup = () => undefined as void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder();
        const send = (v: number) => controller.enqueue(enc.encode(`data: ${v}\n\n`));
        const ping = setInterval(() => controller.enqueue(enc.encode(': ping\n\n')), 25_000);
        const close = () => {
          cleanup();
          try {
            controller.close();
          } catch {
            /* already closed */
          }
        };
        cleanup = () => {
          clearInterval(ping);
          ws.off('change', send);
          open.delete(close);
        };
        ws.on('change', send);
        open.add(close);
        controller.enqueue(enc.encode(`retry: 2000\ndata: ${ws.currentVersion}\n\n`));
      },
      cancel() {
        cleanup();
      },
    });
    // Connection: close, so ending the stream on shutdown frees the socket instead of leaving it idle.
    return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'close' } });
  };
}

export function sandboxRoutes(sb: SandboxRuntime, openStreams: Set<() => void>): RouteModule {
  const { ws } = sb;
  return (app: Hono, deps: AppDeps) => {
    app.use('/sandbox', localOnly);
    app.use('/sandbox/*', localOnly);
    const css = asset('sandbox.css');
    const js = asset('sandbox.js');
    app.get('/sandbox/assets/sandbox.css', (c) => c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }));
    app.get('/sandbox/assets/sandbox.js', (c) => c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
    app.get('/', (c) => c.redirect('/sandbox'));

    const pick = (c: Context) => {
      const user = ws.user(c.req.query('user') ?? '') ? (c.req.query('user') as string) : sb.defaultUser;
      const ch = c.req.query('channel') ?? '';
      const channel = ch === HOME || ws.channel(ch) ? ch : sb.defaultChannel;
      return { user, channel };
    };

    app.get('/sandbox', async (c) => {
      const { user, channel } = pick(c);
      const html = sandboxPage({ user, channel, users: await users(deps, ws), fragments: renderFragments(ws, user, channel), connectors: sb.alerts.connectors, publicUrl: new URL(c.req.url).origin, digest: sb.digest, version: ws.currentVersion });
      return c.html(html, 200, { 'cache-control': 'no-store' });
    });

    app.get('/sandbox/api/view', async (c) => {
      const { user, channel } = pick(c);
      return c.json({ version: ws.currentVersion, user, channel, users: userOptions(await users(deps, ws), user), ...renderFragments(ws, user, channel) }, 200, { 'cache-control': 'no-store' });
    });

    app.get('/sandbox/events', events(ws, openStreams));

    post(app, 'send', schemas.send, (b) => act.sendText(ws, b.user, b.channel, b.text));
    post(app, 'action', schemas.action, (b) => act.blockAction(ws, b.user, b));
    post(app, 'view-submit', schemas.viewSubmit, (b) => act.submitView(ws, b.user, b.viewId, b.values));
    post(app, 'view-close', schemas.viewClose, (b) => act.closeView(ws, b.user, b.viewId));
    post(app, 'shortcut', schemas.shortcut, (b) => act.messageShortcut(ws, b.user, b.channelId, b.ts, b.callbackId));
    post(app, 'react', schemas.react, (b) => act.react(ws, b.user, b.channelId, b.ts, b.name));
    post(app, 'home', User, (b) => act.openHome(ws, b.user));
    post(app, 'dismiss', schemas.dismiss, (b) => act.dismissEphemeral(ws, b.user, b.ts));
    post(app, 'alert', schemas.alert, (b) => sb.alerts.fire(b.scenario, b.phase));
    post(app, 'digest', z.object({}).passthrough(), async () => {
      if (!sb.digest.run) return { ok: false, error: sb.digest.note };
      return { message: await sb.digest.run() };
    });
  };
}
