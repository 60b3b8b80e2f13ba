import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../../app/deps';
import { resolveRole } from '../../app/access.service';
import type { Role } from '../../shared/roles';

/** One workspace the browser signed in with (Sign in with Slack proves the membership). */
export interface ConsoleWorkspace {
  orgId: string;
  userId: string;
  name?: string;
  teamName?: string;
}

/** What every console page knows about the person looking at it; the role is re-read on every request. */
export interface ConsoleUser {
  userId: string;
  orgId: string;
  role: Role;
  /** Every workspace of this session (the switcher); nothing else is ever shown. */
  orgs: string[];
  name?: string;
  teamName?: string;
  workspaces: ConsoleWorkspace[];
}

export interface ConsoleEnv {
  Variables: { consoleUser: ConsoleUser; session: ConsoleSession };
}

export interface ConsoleSession {
  v: 1;
  ws: ConsoleWorkspace[];
  /** Expiry, epoch ms (also the cookie's Max-Age). */
  exp: number;
  csrf: string;
}

export const SESSION_COOKIE = 'revenant_console';
export const SESSION_HOURS = 12;

/** The console's secret; undefined means the console is not configured (it then explains what is missing). */
export function sessionSecret(deps: Pick<AppDeps, 'config'>): string | undefined {
  return deps.config.console.sessionSecret;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();

/** `base64url(json).base64url(hmac)`: tamper-evident, not secret (it holds ids and a CSRF token only). */
export function sign(secret: string, value: unknown): string {
  const body = b64(JSON.stringify(value));
  return `${body}.${b64(mac(secret, body))}`;
}

/** The signed value, or undefined when the signature, the shape or the expiry is wrong. */
export function unsign<T extends { exp: number }>(secret: string, token: string | undefined, now: number): T | undefined {
  if (!token) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const want = mac(secret, body);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    if (typeof value !== 'object' || value === null || typeof value.exp !== 'number' || value.exp <= now) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

const secure = (deps: Pick<AppDeps, 'config'>) => deps.config.publicUrl.startsWith('https://');

export function readSession(deps: Pick<AppDeps, 'config' | 'now'>, c: Context): ConsoleSession | undefined {
  const secret = sessionSecret(deps);
  if (!secret) return undefined;
  const s = unsign<ConsoleSession>(secret, getCookie(c, SESSION_COOKIE), deps.now().getTime());
  return s && s.v === 1 && Array.isArray(s.ws) && typeof s.csrf === 'string' ? s : undefined;
}

/** Adds (or refreshes) a workspace; a second sign-in keeps the first workspace. */
export function writeSession(deps: Pick<AppDeps, 'config' | 'now'>, c: Context, previous: ConsoleSession | undefined, ws: ConsoleWorkspace): ConsoleSession {
  const secret = sessionSecret(deps)!;
  const exp = deps.now().getTime() + SESSION_HOURS * 3_600_000;
  const others = (previous?.ws ?? []).filter((w) => w.orgId !== ws.orgId);
  const session: ConsoleSession = { v: 1, ws: [ws, ...others], exp, csrf: previous?.csrf ?? b64(randomBytes(24)) };
  setCookie(c, SESSION_COOKIE, sign(secret, session), {
    path: '/console',
    httpOnly: true,
    secure: secure(deps),
    sameSite: 'Lax',
    maxAge: SESSION_HOURS * 3600,
    expires: new Date(exp),
  });
  return session;
}

export function clearSession(deps: Pick<AppDeps, 'config'>, c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: secure(deps), httpOnly: true, sameSite: 'Lax' });
}

const wantsHtml = (c: Context) => c.req.method === 'GET' && !(c.req.header('accept') ?? '').includes('text/event-stream');

/**
 * Guards `/console/orgs/:org/*`: a valid session holding that workspace, else a sign-in redirect (pages)
 * or 401 (streams, forms). Another workspace's id is a 404, exactly like an id that does not exist.
 */
export function requireConsoleUser(deps: AppDeps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = readSession(deps, c);
    if (!session) {
      if (wantsHtml(c)) return c.redirect(`/console/sign-in?next=${encodeURIComponent(c.req.path)}`, 302);
      return c.text('Sign in first.', 401);
    }
    const orgId = c.req.param('org');
    const ws = session.ws.find((w) => w.orgId === orgId);
    if (!ws) return c.text('Not found.', 404);
    const role = await resolveRole(deps, ws.orgId, ws.userId);
    c.set('session', session);
    c.set('consoleUser', {
      userId: ws.userId,
      orgId: ws.orgId,
      role,
      orgs: session.ws.map((w) => w.orgId),
      name: ws.name,
      teamName: ws.teamName,
      workspaces: session.ws,
    });
    await next();
  };
}

/** The session's CSRF token, for a hidden `_csrf` field in every form. */
export function csrfToken(c: Context<ConsoleEnv>): string {
  return c.get('session').csrf;
}

/**
 * Every console POST: the form's `_csrf` must equal the session's (double submit inside the signed
 * cookie), and a cross-site Origin is refused even before that.
 */
export function verifyCsrf(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin && origin !== hostOrigin(c)) return c.text('Cross-site form refused.', 403);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const given = typeof form._csrf === 'string' ? form._csrf : (c.req.header('x-csrf-token') ?? '');
    const want = c.get('session')?.csrf ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(want);
    if (!want || a.length !== b.length || !timingSafeEqual(a, b)) return c.text('The form expired or did not come from this console; reload the page and try again.', 403);
    await next();
  };
}

/** Behind a proxy the request URL may say http while the browser's Origin says the Host it used. */
function hostOrigin(c: Context): string | undefined {
  const host = c.req.header('host');
  return host ? `${new URL(c.req.url).protocol}//${host}` : undefined;
}
