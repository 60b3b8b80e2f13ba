import * as client from 'openid-client';
import type { AppDeps } from '../../app/deps';
import type { ConsoleWorkspace } from './console-session';

/** Slack's OpenID claims (https://api.slack.com/authentication/sign-in-with-slack). */
const TEAM_ID = 'https://slack.com/team_id';
const USER_ID = 'https://slack.com/user_id';
const TEAM_NAME = 'https://slack.com/team_name';

export const OIDC_SCOPE = 'openid profile email';
export const CALLBACK_PATH = '/console/auth/callback';

/** Plain http is allowed only for a loopback issuer: the Slack fake in tests and the sandbox. */
export function isLoopbackHttp(issuer: string): boolean {
  const u = new URL(issuer);
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}

/** What is missing for Sign in with Slack, for the console's "not configured" page (empty = ready). */
export function consoleProblems(deps: Pick<AppDeps, 'config'>): string[] {
  const c = deps.config.console;
  const problems: string[] = [];
  if (!c.sessionSecret) problems.push('CONSOLE_SESSION_SECRET (at least 32 random characters) is not set.');
  if (!c.oidc.clientId || !c.oidc.clientSecret)
    problems.push('The Slack app’s client id and secret are not set (SLACK_OIDC_CLIENT_ID and SLACK_OIDC_CLIENT_SECRET, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET in OAuth mode).');
  return problems;
}

const cache = new WeakMap<object, Promise<client.Configuration>>();

/** Discovery once per process (per config); a failed discovery is retried on the next sign-in. */
export function oidcConfiguration(deps: Pick<AppDeps, 'config'>): Promise<client.Configuration> {
  const key = deps.config.console.oidc;
  let p = cache.get(key);
  if (!p) {
    const { issuer, clientId, clientSecret } = key;
    const insecure = isLoopbackHttp(issuer);
    p = client
      .discovery(new URL(issuer), clientId!, clientSecret!, undefined, insecure ? { execute: [client.allowInsecureRequests] } : undefined)
      .then((cfg) => {
        // Verify the ID token's RS256 signature against the issuer's JWKS, not only its claims.
        client.enableNonRepudiationChecks(cfg);
        return cfg;
      });
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

export interface OidcPending {
  state: string;
  nonce: string;
  next: string;
  exp: number;
}

export function newPending(next: string, now: number): OidcPending {
  return { state: client.randomState(), nonce: client.randomNonce(), next, exp: now + 10 * 60_000 };
}

export async function authorizationUrl(deps: Pick<AppDeps, 'config'>, redirectUri: string, pending: OidcPending, team?: string): Promise<URL> {
  const cfg = await oidcConfiguration(deps);
  const params: Record<string, string> = { redirect_uri: redirectUri, scope: OIDC_SCOPE, state: pending.state, nonce: pending.nonce };
  if (team) params.team = team;
  return client.buildAuthorizationUrl(cfg, params);
}

/** Code → tokens (ID token checked: issuer, audience, expiry, nonce, signature) → the Slack identity. */
export async function completeSignIn(deps: Pick<AppDeps, 'config'>, callbackUrl: URL, pending: OidcPending): Promise<ConsoleWorkspace> {
  const cfg = await oidcConfiguration(deps);
  const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, { expectedState: pending.state, expectedNonce: pending.nonce });
  const claims = tokens.claims();
  if (!claims) throw new Error('Slack returned no ID token.');
  const info = await client.fetchUserInfo(cfg, tokens.access_token, claims.sub);
  const orgId = claims[TEAM_ID];
  const userId = claims[USER_ID];
  if (typeof orgId !== 'string' || typeof userId !== 'string') throw new Error('The ID token has no Slack team or user id.');
  const name = typeof info.name === 'string' ? info.name : typeof claims.name === 'string' ? claims.name : undefined;
  const teamName = typeof claims[TEAM_NAME] === 'string' ? (claims[TEAM_NAME] as string) : undefined;
  return { orgId, userId, name, teamName };
}
