import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../../app/deps';
import { CALLBACK_PATH, authorizationUrl, completeSignIn, consoleProblems, newPending, type OidcPending } from './console-oidc';
import type { ConsoleApp } from './console.routes';
import { clearSession, type ConsoleEnv, readSession, sign, unsign, writeSession } from './console-session';
import { Layout, Notice, orgPath } from './console.layout';

const PENDING_COOKIE = 'revenant_console_oidc';

/** Only a console path of this site: never an absolute or protocol-relative URL (open redirect). */
export function safeNext(next: string | undefined): string {
  return next && /^\/console(\/[\w\-./%?=&]*)?$/.test(next) && !next.includes('//') ? next : '/console';
}

/**
 * PUBLIC_URL when set (what Slack has as the redirect URL), else the origin this request came to. The sandbox
 * (loopback only, its own fake Slack) always uses the request's origin: its port may be chosen at start.
 */
function redirectUri(deps: AppDeps, c: Context): string {
  const base = deps.config.sandbox ? undefined : deps.config.console.publicUrl;
  return `${base ?? new URL(c.req.url).origin}${CALLBACK_PATH}`;
}

function SignInPage({ problems, error, next }: { problems: string[]; error?: string; next: string }) {
  return (
    <Layout title="Sign in">
      {problems.length > 0 ? (
        <section aria-labelledby="cfg">
          <h2 id="cfg">The console is not configured</h2>
          <ul>
            {problems.map((p) => (
              <li>{p}</li>
            ))}
          </ul>
          <p>See README “Web console”.</p>
        </section>
      ) : (
        <section aria-labelledby="sso">
          {error && <Notice kind="error">{error}</Notice>}
          <h2 id="sso">Use your Slack account</h2>
          <p>You see the workspaces you sign in with, with the role you have there.</p>
          <a class="button slack-sign-in" href={`/console/auth/start?next=${encodeURIComponent(next)}`}>
            Sign in with Slack
          </a>
        </section>
      )}
    </Layout>
  );
}

const ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled on Slack.',
  expired: 'The sign-in took too long or was started in another tab; please try again.',
  failed: 'Slack did not confirm who you are; please try again.',
};

export function mountAuthRoutes(app: ConsoleApp, deps: AppDeps): void {
  app.get('/sign-in', (c) => {
    const problems = consoleProblems(deps);
    const error = ERRORS[c.req.query('error') ?? ''];
    return c.html(<SignInPage problems={problems} error={error} next={safeNext(c.req.query('next'))} />, problems.length ? 503 : 200);
  });

  app.get('/auth/start', async (c) => {
    if (consoleProblems(deps).length) return c.redirect('/console/sign-in', 302);
    const pending = newPending(safeNext(c.req.query('next')), deps.now().getTime());
    const url = await authorizationUrl(deps, redirectUri(deps, c), pending, c.req.query('team'));
    setCookie(c, PENDING_COOKIE, sign(deps.config.console.sessionSecret!, pending), {
      path: '/console/auth',
      httpOnly: true,
      secure: deps.config.publicUrl.startsWith('https://'),
      sameSite: 'Lax',
      maxAge: 600,
    });
    return c.redirect(url.href, 302);
  });

  app.get('/auth/callback', async (c) => {
    const secret = deps.config.console.sessionSecret;
    if (!secret) return c.redirect('/console/sign-in', 302);
    const pending = unsign<OidcPending>(secret, getCookie(c, PENDING_COOKIE), deps.now().getTime());
    deleteCookie(c, PENDING_COOKIE, { path: '/console/auth' });
    if (c.req.query('error')) return c.redirect(`/console/sign-in?error=${c.req.query('error') === 'access_denied' ? 'access_denied' : 'failed'}`, 302);
    if (!pending) return c.redirect('/console/sign-in?error=expired', 302);
    const callback = new URL(`${redirectUri(deps, c)}${new URL(c.req.url).search}`);
    try {
      const ws = await completeSignIn(deps, callback, pending);
      const session = writeSession(deps, c, readSession(deps, c), ws);
      deps.logger.info({ orgId: ws.orgId, userId: ws.userId }, 'console sign-in');
      // A link into a workspace this session does not hold (signed in with another one) lands on your own list.
      const target = /^\/console\/orgs\/([^/]+)/.exec(pending.next)?.[1];
      const reachable = target !== undefined && session.ws.some((w) => encodeURIComponent(w.orgId) === target);
      return c.redirect(reachable ? pending.next : orgPath(ws.orgId, 'incidents'), 302);
    } catch (err) {
      deps.logger.warn({ err }, 'console sign-in failed');
      return c.redirect('/console/sign-in?error=failed', 302);
    }
  });

  app.post('/sign-out', async (c: Context<ConsoleEnv>) => {
    const session = readSession(deps, c);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const given = Buffer.from(typeof form._csrf === 'string' ? form._csrf : '');
    const want = Buffer.from(session?.csrf ?? '');
    if (session && (given.length !== want.length || !timingSafeEqual(given, want))) return c.text('The form expired; reload and try again.', 403);
    clearSession(deps, c);
    return c.redirect('/console/sign-in', 303);
  });
}
