import { createLogger } from '../../src/adapters/logger';
import { grantRole } from '../../src/adapters/db/incident.queries';
import { DEFAULT_TEAM } from '../../src/adapters/slack-fake/slack-fake.state';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { type Config, loadConfig } from '../../src/config';
import type { Role } from '../../src/shared/roles';
import { type Running, startRevenant } from '../../src/server';
import { fakeTriggerId, signedFetch, slashCommandBody } from './slack-signing';
import { createTestDb, type Dialect, type TestDb } from './test-db';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const CLIENT_ID = 'console-client';
export const CLIENT_SECRET = 'console-client-secret';
export const SESSION_SECRET = 'console-session-secret-0123456789abcdef-xyz';
/** A second workspace in the same fake Slack: its people must never see the first one's incidents. */
export const OTHER_TEAM = { id: 'T0OTHER', name: 'Globex', botToken: 'xoxb-other', botUserId: 'UBOT2', users: [{ id: 'U0900', name: 'mallory', realName: 'Mallory Moss', email: 'm@globex.test' }] };

export interface ConsoleHarness {
  slack: SlackFake;
  app: Running;
  tdb: TestDb;
  config: Config;
  command(text: string, o?: { user?: string; channel?: string }): Promise<Response>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The bot (single workspace T0001, Sign in with Slack against the fake) and a Slack fake with two workspaces. */
export async function startConsoleHarness(dialect: Dialect, roles: Record<string, Role> = {}, env: Record<string, string> = {}): Promise<ConsoleHarness> {
  const slack = await startSlackFake({ teams: [DEFAULT_TEAM, OTHER_TEAM] });
  slack.state.oauth.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const tdb = await createTestDb(dialect);
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: tdb.url,
    ADMIN_USER_IDS: 'U0001',
    LOG_LEVEL: 'silent',
    CONSOLE_SESSION_SECRET: SESSION_SECRET,
    SLACK_OIDC_ISSUER: slack.baseUrl,
    SLACK_OIDC_CLIENT_ID: CLIENT_ID,
    SLACK_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    ...env,
  });
  const app = await startRevenant(config, { db: tdb.db, workerPollMs: 20, startScheduler: false, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  for (const [userId, role] of Object.entries(roles)) await grantRole(tdb.db, { orgId: 'T0001', userId, role, grantedBy: 'test', now: new Date() });
  return {
    slack,
    app,
    tdb,
    config,
    command(text, o = {}) {
      const body = slashCommandBody({ teamId: 'T0001', userId: o.user ?? 'U0001', channelId: o.channel ?? 'CGENERAL', command: '/incident', text, triggerId: fakeTriggerId(), responseUrl: slack.responseUrl() });
      return signedFetch(`${app.url}/slack/events`, body, { secret: SIGNING_SECRET, contentType: 'application/x-www-form-urlencoded' });
    },
    async settle() {
      for (let i = 0; i < 400; i++) {
        const left = await tdb.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'in_flight']).executeTakeFirstOrThrow();
        if (Number(left.n) === 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('outbox did not settle');
    },
    async close() {
      await app.stop();
      await slack.close();
      await tdb.destroy();
    },
  };
}

/** A browser's cookie jar over fetch (manual redirects), enough for the console and the fake's authorize page. */
export class Browserless {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const abs = new URL(url, this.base);
    const headers = new Headers(init.headers);
    // Cookies are per host:port; the fake and the bot are different origins and get none of each other's.
    if (abs.origin === new URL(this.base).origin && this.cookies.size) headers.set('cookie', this.cookieHeader());
    const res = await fetch(abs, { ...init, headers, redirect: 'manual' });
    if (abs.origin === new URL(this.base).origin) {
      for (const c of res.headers.getSetCookie()) {
        const [pair, ...attrs] = c.split(';');
        const [k, ...v] = pair.split('=');
        const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()));
        if (expired || v.join('=') === '') this.cookies.delete(k.trim());
        else this.cookies.set(k.trim(), v.join('='));
      }
    }
    return res;
  }

  /** Sign in with Slack through the real flow: console → fake authorize page → pick a person → callback. */
  async signIn(teamId: string, userId: string): Promise<Response> {
    const start = await this.fetch('/console/auth/start');
    if (start.status !== 302) throw new Error(`auth/start answered ${start.status}: ${await start.text()}`);
    const authorize = new URL(start.headers.get('location')!);
    const page = await fetch(authorize);
    const html = await page.text();
    if (!html.includes(`data-user="${userId}"`)) throw new Error(`no ${userId} on the authorize page`);
    const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), team_id: teamId, user_id: userId, decision: 'allow' });
    const approved = await fetch(new URL(authorize.pathname, authorize.origin), { method: 'POST', body: form, redirect: 'manual' });
    const callback = approved.headers.get('location');
    if (approved.status !== 302 || !callback) throw new Error(`authorize answered ${approved.status}`);
    return this.fetch(callback);
  }

  /** The session's CSRF token, read from a page's hidden field. */
  async csrf(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF field on ${path}`);
    return m[1];
  }
}
