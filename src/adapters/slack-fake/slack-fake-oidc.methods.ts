import { createHash, createSign, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, str } from './slack-fake.errors';
import { parseBody, readBody, sendJson } from './slack-fake.http';
import type { TokenlessContext } from './slack-fake-misc.methods';
import type { FakeSlackState } from './slack-fake.state';
import type { FakeUser, TeamState } from './slack-fake.types';

/**
 * Sign in with Slack (OpenID Connect), as Slack serves it: discovery, the authorize page (here a picker of the
 * fake's people standing in for Slack's own sign-in and consent), `openid.connect.token` (code → access token
 * and an RS256 ID token), `openid.connect.userInfo` and the JWKS. The issuer is the fake's base URL.
 */

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  teamId: string;
  userId: string;
  nonce?: string;
  issuer: string;
  exp: number;
}

interface Registry {
  codes: Map<string, CodeGrant>;
  tokens: Map<string, { teamId: string; userId: string }>;
}

const registries = new WeakMap<FakeSlackState, Registry>();
function registry(state: FakeSlackState): Registry {
  let r = registries.get(state);
  if (!r) registries.set(state, (r = { codes: new Map(), tokens: new Map() }));
  return r;
}

let keyPair: { privateKey: KeyObject; jwk: Record<string, unknown> } | undefined;
/** One RSA key per process, made on first use (the JWKS names it by its thumbprint). */
function signingKey() {
  if (!keyPair) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = publicKey.export({ format: 'jwk' });
    const kid = createHash('sha256').update(JSON.stringify({ e: pub.e, kty: 'RSA', n: pub.n })).digest('base64url');
    keyPair = { privateKey, jwk: { ...pub, kid, alg: 'RS256', use: 'sig' } };
  }
  return keyPair;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function jwt(claims: Record<string, unknown>): string {
  const { privateKey, jwk } = signingKey();
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })}.${b64(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

/** The claims Slack puts in both the ID token and userInfo. */
function identityClaims(team: TeamState, user: FakeUser): Record<string, unknown> {
  const [given, ...family] = user.realName.split(' ');
  return {
    sub: user.id,
    'https://slack.com/user_id': user.id,
    'https://slack.com/team_id': team.id,
    'https://slack.com/team_name': team.name,
    'https://slack.com/team_domain': team.domain,
    email: user.email ?? `${user.name}@${team.domain}.example`,
    email_verified: true,
    name: user.realName,
    given_name: given,
    family_name: family.join(' '),
    locale: 'en-US',
  };
}

export function discoveryDocument(baseUrl: string) {
  return {
    issuer: baseUrl,
    authorization_endpoint: `${baseUrl}/openid/connect/authorize`,
    token_endpoint: `${baseUrl}/api/openid.connect.token`,
    userinfo_endpoint: `${baseUrl}/api/openid.connect.userInfo`,
    jwks_uri: `${baseUrl}/openid/connect/keys`,
    scopes_supported: ['openid', 'profile', 'email'],
    response_types_supported: ['code'],
    response_modes_supported: ['form_post'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'auth_time', 'iss'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: true,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
  };
}

export const oidcTokenlessMethods: Record<string, (ctx: TokenlessContext) => Record<string, unknown>> = {
  'openid.connect.token': (ctx) => {
    const clientId = str(ctx.params, 'client_id') ?? ctx.basic?.id;
    const clientSecret = str(ctx.params, 'client_secret') ?? ctx.basic?.secret;
    const app = clientId ? ctx.state.oauth.apps.get(clientId) : undefined;
    if (!app) fail('invalid_client_id');
    if (clientSecret !== app.clientSecret) fail('bad_client_secret');
    const grantType = str(ctx.params, 'grant_type');
    if (grantType !== undefined && grantType !== 'authorization_code') fail('unsupported_grant_type');
    const reg = registry(ctx.state);
    const code = str(ctx.params, 'code');
    const grant = code ? reg.codes.get(code) : undefined;
    if (code) reg.codes.delete(code);
    if (!grant || grant.clientId !== clientId || grant.exp < ctx.state.nowMs()) fail('invalid_code');
    if (str(ctx.params, 'redirect_uri') !== grant.redirectUri) fail('bad_redirect_uri');
    const team = ctx.state.team(grant.teamId);
    const user = ctx.state.user(team, grant.userId);
    if (!user || user.deleted) fail('user_not_found');
    const accessToken = `xoxp-${team.id}-${user.id}-${randomBytes(12).toString('hex')}`;
    reg.tokens.set(accessToken, { teamId: team.id, userId: user.id });
    const now = ctx.state.nowSec();
    const idToken = jwt({
      iss: grant.issuer,
      aud: clientId,
      iat: now,
      exp: now + 3600,
      auth_time: now,
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
      ...identityClaims(team, user),
    });
    return { access_token: accessToken, token_type: 'Bearer', id_token: idToken };
  },
  'openid.connect.userInfo': (ctx) => {
    const who = ctx.token ? registry(ctx.state).tokens.get(ctx.token) : undefined;
    if (!who) fail('invalid_auth');
    const team = ctx.state.team(who.teamId);
    const user = ctx.state.user(team, who.userId);
    if (!user) fail('user_not_found');
    return identityClaims(team, user);
  },
};

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; form-action *" });
  res.end(html);
}

function redirect(res: ServerResponse, to: URL): void {
  res.writeHead(302, { location: to.href });
  res.end();
}

/** Non-API OIDC paths of the fake; false when the path is not one of them. */
export async function handleOidcPath(state: FakeSlackState, baseUrl: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
    sendJson(res, 200, discoveryDocument(baseUrl));
    return true;
  }
  if (req.method === 'GET' && path === '/openid/connect/keys') {
    sendJson(res, 200, { keys: [signingKey().jwk] });
    return true;
  }
  if (path !== '/openid/connect/authorize') return false;
  const params = req.method === 'POST' ? (await parseBody(req.headers['content-type'], await readBody(req))).params : Object.fromEntries(url.searchParams);
  const p = (k: string) => str(params, k);
  const clientId = p('client_id');
  const redirectUri = p('redirect_uri');
  if (!clientId || !state.oauth.apps.has(clientId)) {
    page(res, 400, 'Invalid client_id', '<p>This app is not known to the workspace.</p>');
    return true;
  }
  if (!redirectUri || !/^https?:\/\//.test(redirectUri)) {
    page(res, 400, 'Invalid redirect_uri', '<p>The redirect URL is missing or not http(s).</p>');
    return true;
  }
  const back = new URL(redirectUri);
  if (p('state')) back.searchParams.set('state', p('state')!);
  if (p('response_type') !== 'code' || !(p('scope') ?? '').split(/[\s,]+/).includes('openid')) {
    back.searchParams.set('error', p('response_type') !== 'code' ? 'unsupported_response_type' : 'invalid_scope');
    redirect(res, back);
    return true;
  }
  if (req.method === 'POST') {
    if (p('decision') !== 'allow') {
      back.searchParams.set('error', 'access_denied');
      return (redirect(res, back), true);
    }
    const team = state.teams.get(p('team_id') ?? '');
    const user = team ? state.user(team, p('user_id') ?? '') : undefined;
    if (!team || !user) {
      page(res, 400, 'Unknown user', '<p>Pick a person of the workspace.</p>');
      return true;
    }
    const code = `${team.id}.${randomBytes(16).toString('hex')}`;
    registry(state).codes.set(code, { clientId, redirectUri, teamId: team.id, userId: user.id, nonce: p('nonce'), issuer: baseUrl, exp: state.nowMs() + 10 * 60_000 });
    back.searchParams.set('code', code);
    redirect(res, back);
    return true;
  }
  const teams = [...state.teams.values()].filter((t) => !p('team') || t.id === p('team'));
  const keep = ['client_id', 'redirect_uri', 'state', 'nonce', 'scope', 'response_type']
    .map((k) => (p(k) === undefined ? '' : `<input type="hidden" name="${k}" value="${esc(p(k)!)}">`))
    .join('');
  const forms = teams
    .flatMap((t) =>
      [...t.users.values()]
        .filter((u) => !u.isBot && !u.deleted)
        .map(
          (u) =>
            `<form method="post"><input type="hidden" name="team_id" value="${esc(t.id)}"><input type="hidden" name="user_id" value="${esc(u.id)}">${keep}` +
            `<button type="submit" name="decision" value="allow" data-team="${esc(t.id)}" data-user="${esc(u.id)}">Continue as ${esc(u.realName)} (${esc(t.name)})</button></form>`,
        ),
    )
    .join('');
  const cancel = `<form method="post">${keep}<button type="submit" name="decision" value="deny">Cancel</button></form>`;
  page(res, 200, 'Sign in with Slack', `<p>The app wants to know who you are in your workspace.</p>${forms}${cancel}`);
  return true;
}
