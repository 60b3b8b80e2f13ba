import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, type ConsoleHarness, SESSION_SECRET, startConsoleHarness } from '../helpers/console-harness';
import { dialects } from '../helpers/test-db';
import { sign } from '../../src/adapters/console/console-session';
import { createConsoleApp } from '../../src/adapters/console/console.routes';
import { loadConfig } from '../../src/config';
import { isLoopbackHttp } from '../../src/adapters/console/console-oidc';

/** Who sees what: signed-out browsers, tampered cookies, another workspace, CSRF, the OIDC checks. */
describe.each(dialects())('console: Sign in with Slack and sessions (%s)', (dialect) => {
  let h: ConsoleHarness;
  let incidentId: string;
  const eventCount = async () => Number((await h.tdb.db.selectFrom('incident_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    h = await startConsoleHarness(dialect, { U0003: 'viewer' });
    const res = await h.command('declare sev2 Checkout is slow');
    expect(res.status).toBe(200);
    await h.settle();
    incidentId = (await h.tdb.db.selectFrom('incidents').select('id').where('org_id', '=', 'T0001').executeTakeFirstOrThrow()).id;
  }, 60_000);
  afterAll(() => h?.close());

  it('signs in through the OIDC flow and sets a signed, HttpOnly, SameSite=Lax session cookie with an expiry', async () => {
    const b = new Browserless(h.app.url);
    const res = await b.signIn('T0001', 'U0002');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console/orgs/T0001/incidents');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('revenant_console='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).toMatch(/Path=\/console/);
    expect(cookie).not.toMatch(/Secure/i);
    const html = await (await b.fetch('/console/orgs/T0001/incidents')).text();
    expect(html).toContain('Checkout is slow');
    expect(html).toContain('Bob Brown');
    expect(h.slack.callsTo('openid.connect.token').at(-1)?.response.ok).toBe(true);
    expect(h.slack.callsTo('openid.connect.userInfo').at(-1)?.response.ok).toBe(true);
    expect((await b.fetch(`/console/orgs/T0001/incidents/${incidentId}`)).status).toBe(200);
  });

  it('a signed-out browser sees nothing: pages redirect to sign-in, streams and forms are 401', async () => {
    const b = new Browserless(h.app.url);
    for (const path of ['/console/orgs/T0001/incidents', `/console/orgs/T0001/incidents/${incidentId}`, '/console/orgs/T0001/watchlist', '/console/orgs/T0001/deployments', '/console/orgs/T0001/postmortems']) {
      const res = await b.fetch(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location')).toMatch(/^\/console\/sign-in\?next=/);
      expect(await res.text()).not.toContain('Checkout');
    }
    const sse = await b.fetch('/console/orgs/T0001/events', { headers: { accept: 'text/event-stream' } });
    expect(sse.status).toBe(401);
    const before = await eventCount();
    const post = await b.fetch(`/console/orgs/T0001/incidents/${incidentId}/note`, { method: 'POST', body: new URLSearchParams({ text: 'sneaky' }) });
    expect(post.status).toBe(401);
    expect(await eventCount()).toBe(before);
    expect((await b.fetch('/console')).headers.get('location')).toBe('/console/sign-in');
  });

  it('a tampered, re-signed or expired cookie is no session', async () => {
    const b = new Browserless(h.app.url);
    await b.signIn('T0001', 'U0002');
    const good = b.cookies.get('revenant_console')!;
    const [body, mac] = good.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { ws: Array<{ orgId: string; userId: string }>; exp: number; csrf: string; v: 1 };
    const forged = { ...payload, ws: [{ orgId: 'T0001', userId: 'U0001' }] };
    const variants = {
      flipped: `${body.slice(0, -2)}${body.endsWith('A') ? 'B' : 'A'}${body.slice(-1)}.${mac}`,
      swappedPayload: `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`,
      otherSecret: sign('another-secret-0123456789abcdef-0123456789', forged),
      expired: sign(SESSION_SECRET, { ...payload, exp: Date.now() - 1000 }),
      garbage: 'not-a-cookie',
    };
    for (const [name, value] of Object.entries(variants)) {
      b.cookies.set('revenant_console', value);
      const res = await b.fetch('/console/orgs/T0001/incidents');
      expect(res.status, name).toBe(302);
      expect(res.headers.get('location'), name).toMatch(/^\/console\/sign-in/);
    }
    b.cookies.set('revenant_console', good);
    expect((await b.fetch('/console/orgs/T0001/incidents')).status).toBe(200);
  });

  it("another workspace's user sees nothing of this one, and a second sign-in adds a workspace to the switcher", async () => {
    const m = new Browserless(h.app.url);
    const res = await m.signIn('T0OTHER', 'U0900');
    expect(res.headers.get('location')).toBe('/console/orgs/T0OTHER/incidents');
    const own = await (await m.fetch('/console/orgs/T0OTHER/incidents')).text();
    expect(own).not.toContain('Checkout is slow');
    for (const path of ['/console/orgs/T0001/incidents', `/console/orgs/T0001/incidents/${incidentId}`, `/console/orgs/T0OTHER/incidents/${incidentId}`]) {
      const r = await m.fetch(path);
      expect(r.status, path).toBe(404);
      expect(await r.text()).not.toContain('Checkout');
    }
    expect((await m.fetch('/console/orgs/T0001/events', { headers: { accept: 'text/event-stream' } })).status).toBe(404);
    const before = await eventCount();
    const csrf = await m.csrf('/console/orgs/T0OTHER/incidents');
    const post = await m.fetch(`/console/orgs/T0OTHER/incidents/${incidentId}/note`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, text: 'cross-org' }) });
    expect(post.status).toBe(404);
    expect(await eventCount()).toBe(before);

    await m.signIn('T0001', 'U0002');
    const both = await (await m.fetch('/console/orgs/T0001/incidents')).text();
    expect(both).toContain('href="/console/orgs/T0OTHER/incidents"');
    expect(both).toContain('Checkout is slow');
  });

  it('CSRF: a form without the token, with a wrong one, or from another origin changes nothing', async () => {
    const b = new Browserless(h.app.url);
    await b.signIn('T0001', 'U0002');
    const csrf = await b.csrf(`/console/orgs/T0001/incidents/${incidentId}`);
    const before = await eventCount();
    const url = `/console/orgs/T0001/incidents/${incidentId}/note`;
    expect((await b.fetch(url, { method: 'POST', body: new URLSearchParams({ text: 'no token' }) })).status).toBe(403);
    expect((await b.fetch(url, { method: 'POST', body: new URLSearchParams({ _csrf: `${csrf}x`, text: 'bad token' }) })).status).toBe(403);
    const cross = await b.fetch(url, { method: 'POST', headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ _csrf: csrf, text: 'cross site' }) });
    expect(cross.status).toBe(403);
    expect(await eventCount()).toBe(before);
    const ok = await b.fetch(url, { method: 'POST', headers: { origin: h.app.url }, body: new URLSearchParams({ _csrf: csrf, text: 'with token' }) });
    expect(ok.status).toBe(303);
    expect(await eventCount()).toBe(before + 1);
  });

  it('sign-out needs the CSRF token and ends the session', async () => {
    const b = new Browserless(h.app.url);
    await b.signIn('T0001', 'U0002');
    const csrf = await b.csrf('/console/orgs/T0001/incidents');
    expect((await b.fetch('/console/sign-out', { method: 'POST', body: new URLSearchParams({ _csrf: 'nope' }) })).status).toBe(403);
    const out = await b.fetch('/console/sign-out', { method: 'POST', body: new URLSearchParams({ _csrf: csrf }) });
    expect(out.status).toBe(303);
    expect(b.cookies.has('revenant_console')).toBe(false);
    expect((await b.fetch('/console/orgs/T0001/incidents')).status).toBe(302);
  });

  it('the OIDC checks hold: cancelled, replayed code, wrong state and a missing pending cookie all fail closed', async () => {
    const b = new Browserless(h.app.url);
    const start = await b.fetch('/console/auth/start');
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(h.slack.baseUrl);
    expect(authorize.searchParams.get('scope')).toBe('openid profile email');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const fields = Object.fromEntries(authorize.searchParams);
    const post = (extra: Record<string, string>) => fetch(new URL(authorize.pathname, authorize.origin), { method: 'POST', body: new URLSearchParams({ ...fields, ...extra }), redirect: 'manual' });
    const denied = await post({ decision: 'deny' });
    const deniedAt = await b.fetch(denied.headers.get('location')!);
    expect(deniedAt.headers.get('location')).toBe('/console/sign-in?error=access_denied');

    const s2 = await b.fetch('/console/auth/start');
    const a2 = new URL(s2.headers.get('location')!);
    const f2 = { ...Object.fromEntries(a2.searchParams), team_id: 'T0001', user_id: 'U0002', decision: 'allow' };
    const ok = await fetch(new URL(a2.pathname, a2.origin), { method: 'POST', body: new URLSearchParams(f2), redirect: 'manual' });
    const callback = new URL(ok.headers.get('location')!);
    const wrongState = new URL(callback);
    wrongState.searchParams.set('state', 'forged');
    expect((await b.fetch(wrongState.href)).headers.get('location')).toBe('/console/sign-in?error=failed');
    // The pending cookie was used up by that try: the real callback now has nothing to match.
    expect((await b.fetch(callback.href)).headers.get('location')).toBe('/console/sign-in?error=expired');
    expect(b.cookies.has('revenant_console')).toBe(false);
  });

  it('app.request(): no secret means a "not configured" page; a cookie for another workspace opens nothing here', async () => {
    const cfg = h.app.deps.config;
    const off = createConsoleApp({ ...h.app.deps, config: { ...cfg, console: { ...cfg.console, sessionSecret: undefined } } });
    const page = await off.request('/sign-in');
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('CONSOLE_SESSION_SECRET');
    expect((await off.request('/orgs/T0001/incidents')).status).toBe(302);
    const on = createConsoleApp(h.app.deps);
    const cookie = (ws: Array<{ orgId: string; userId: string }>) => ({ headers: { cookie: `revenant_console=${sign(SESSION_SECRET, { v: 1, ws, exp: Date.now() + 60_000, csrf: 'c'.repeat(32) })}` } });
    const other = cookie([{ orgId: 'T0OTHER', userId: 'U0900' }]);
    expect((await on.request('/orgs/T0OTHER/incidents', other)).status).toBe(200);
    const denied = await on.request(`/orgs/T0001/incidents/${incidentId}`, other);
    expect(denied.status).toBe(404);
    expect(await denied.text()).not.toContain('Checkout');
    expect((await on.request('/orgs/T0001/incidents', { headers: { cookie: 'revenant_console=e30.AAAA' } })).status).toBe(302);
    expect((await on.request(`/orgs/T0001/incidents/${incidentId}`, cookie([{ orgId: 'T0001', userId: 'U0002' }]))).status).toBe(200);
  });

  it('with an https PUBLIC_URL, the redirect URI uses it and both cookies are Secure', async () => {
    const cfg = h.app.deps.config;
    const pub = 'https://console.example';
    const app = createConsoleApp({ ...h.app.deps, config: { ...cfg, publicUrl: pub, console: { ...cfg.console, publicUrl: pub } } });
    const start = await app.request('/auth/start');
    const pending = start.headers.getSetCookie().find((c) => c.startsWith('revenant_console_oidc='))!;
    expect(pending).toMatch(/; Secure/);
    expect(pending).toMatch(/HttpOnly/);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${pub}/console/auth/callback`);
    const approved = await fetch(new URL(authorize.pathname, authorize.origin), {
      method: 'POST',
      body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), team_id: 'T0001', user_id: 'U0002', decision: 'allow' }),
      redirect: 'manual',
    });
    const back = new URL(approved.headers.get('location')!);
    expect(back.origin).toBe(pub);
    const done = await app.request(`/auth/callback${back.search}`, { headers: { cookie: pending.split(';')[0] } });
    expect(done.status).toBe(302);
    const session = done.headers.getSetCookie().find((c) => c.startsWith('revenant_console='))!;
    expect(session).toMatch(/; Secure/);
  });

  it('serves the pages with a strict CSP, nosniff, frame denial and a referrer policy', async () => {
    const b = new Browserless(h.app.url);
    await b.signIn('T0001', 'U0002');
    for (const path of ['/console/sign-in', '/console/orgs/T0001/incidents', `/console/orgs/T0001/incidents/${incidentId}`, '/console/assets/console.js']) {
      const res = await b.fetch(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      const html = await res.text();
      if (path.endsWith('.js')) continue;
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/\sstyle=/i);
    }
  });
});

describe('console configuration', () => {
  it('rejects a short CONSOLE_SESSION_SECRET and reads the OIDC pair', () => {
    expect(() => loadConfig({ CONSOLE_SESSION_SECRET: 'short' })).toThrow(/CONSOLE_SESSION_SECRET: must be at least 32/);
    const c = loadConfig({ CONSOLE_SESSION_SECRET: 'x'.repeat(32), SLACK_OIDC_CLIENT_ID: 'id', SLACK_OIDC_CLIENT_SECRET: 's', SLACK_OIDC_ISSUER: 'http://127.0.0.1:9/' });
    expect(c.console.oidc).toEqual({ issuer: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 's' });
    expect(c.slack.mode).toBe('none');
    expect(c.console.oidc.issuer).toBe('http://127.0.0.1:9');
    expect(loadConfig({}).console.oidc.issuer).toBe('https://slack.com');
  });

  it('allows plain http only for a loopback issuer (the fake), never for a remote one', () => {
    expect(isLoopbackHttp('http://127.0.0.1:4000')).toBe(true);
    expect(isLoopbackHttp('http://localhost:4000')).toBe(true);
    expect(isLoopbackHttp('http://slack.example')).toBe(false);
    expect(isLoopbackHttp('https://slack.com')).toBe(false);
  });
});
