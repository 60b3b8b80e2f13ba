import { createPublicKey, createVerify, type JsonWebKey } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';

/** The fake's Sign in with Slack endpoints, driven by openid-client as the console drives slack.com. */
describe('Slack fake: OpenID Connect', () => {
  let fake: SlackFake;
  let cfg: client.Configuration;
  const redirectUri = 'http://127.0.0.1:9/console/auth/callback';

  beforeAll(async () => {
    fake = await startSlackFake();
    fake.state.oauth.registerApp({ clientId: 'cid', clientSecret: 'csecret' });
    cfg = await client.discovery(new URL(fake.baseUrl), 'cid', 'csecret', undefined, { execute: [client.allowInsecureRequests] });
  });
  afterAll(() => fake?.close());

  /** Approve on the authorize page as `userId`; returns the code. */
  async function approve(userId: string, nonce = 'n-1', state = 's-1'): Promise<string> {
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: redirectUri, scope: 'openid profile email', state, nonce });
    const page = await (await fetch(url)).text();
    expect(page).toContain(`data-user="${userId}"`);
    const res = await fetch(new URL(url.pathname, url.origin), { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(url.searchParams), team_id: 'T0001', user_id: userId, decision: 'allow' }), redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe(state);
    return back.searchParams.get('code')!;
  }

  const exchange = (fields: Record<string, string>) =>
    fetch(`${fake.baseUrl}/api/openid.connect.token`, { method: 'POST', body: new URLSearchParams(fields) }).then((r) => r.json() as Promise<Record<string, unknown>>);

  it('serves Slack-shaped discovery with the fake as issuer', () => {
    const m = cfg.serverMetadata();
    expect(m.issuer).toBe(fake.baseUrl);
    expect(m.token_endpoint).toBe(`${fake.baseUrl}/api/openid.connect.token`);
    expect(m.userinfo_endpoint).toBe(`${fake.baseUrl}/api/openid.connect.userInfo`);
    expect(m.jwks_uri).toBe(`${fake.baseUrl}/openid/connect/keys`);
    expect(m.id_token_signing_alg_values_supported).toEqual(['RS256']);
  });

  it('issues an RS256 ID token (verifiable with the JWKS) with Slack claims and the nonce; userInfo agrees', async () => {
    const code = await approve('U0002', 'nonce-42', 'st');
    const tokens = await client.authorizationCodeGrant(cfg, new URL(`${redirectUri}?code=${code}&state=st`), { expectedState: 'st', expectedNonce: 'nonce-42' });
    const claims = tokens.claims()!;
    expect(claims['https://slack.com/team_id']).toBe('T0001');
    expect(claims['https://slack.com/user_id']).toBe('U0002');
    expect(claims.name).toBe('Bob Brown');
    expect(claims.aud).toBe('cid');
    const [h, p, s] = tokens.id_token!.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string; kid: string };
    expect(header.alg).toBe('RS256');
    const jwks = (await (await fetch(`${fake.baseUrl}/openid/connect/keys`)).json()) as { keys: Array<JsonWebKey & { kid: string }> };
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
    expect(createVerify('RSA-SHA256').update(`${h}.${p}`).verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'))).toBe(true);
    expect(createVerify('RSA-SHA256').update(`${h}.${p}x`).verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'))).toBe(false);
    const info = await client.fetchUserInfo(cfg, tokens.access_token, claims.sub);
    expect(info['https://slack.com/team_id']).toBe('T0001');
    expect(info.email).toBe('bob@acme.test');
  });

  it('a code works once, for its client and redirect URI only', async () => {
    const code = await approve('U0003');
    expect(await exchange({ code, client_id: 'cid', client_secret: 'wrong', redirect_uri: redirectUri })).toEqual({ ok: false, error: 'bad_client_secret' });
    expect(await exchange({ code, client_id: 'nobody', client_secret: 'csecret', redirect_uri: redirectUri })).toEqual({ ok: false, error: 'invalid_client_id' });
    const code2 = await approve('U0003');
    expect(await exchange({ code: code2, client_id: 'cid', client_secret: 'csecret', redirect_uri: 'http://evil.example/cb' })).toEqual({ ok: false, error: 'bad_redirect_uri' });
    const code3 = await approve('U0003');
    const first = await exchange({ code: code3, client_id: 'cid', client_secret: 'csecret', redirect_uri: redirectUri, grant_type: 'authorization_code' });
    expect(first.ok).toBe(true);
    expect(first.token_type).toBe('Bearer');
    expect(await exchange({ code: code3, client_id: 'cid', client_secret: 'csecret', redirect_uri: redirectUri })).toEqual({ ok: false, error: 'invalid_code' });
  });

  it('refuses unknown clients on the authorize page, cancelled sign-ins and unknown access tokens', async () => {
    const bad = await fetch(`${fake.baseUrl}/openid/connect/authorize?client_id=nobody&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}`);
    expect(bad.status).toBe(400);
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: redirectUri, scope: 'openid', state: 'x' });
    const res = await fetch(new URL(url.pathname, url.origin), { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(url.searchParams), decision: 'deny' }), redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    const info = await fetch(`${fake.baseUrl}/api/openid.connect.userInfo`, { headers: { authorization: 'Bearer xoxp-nope' } });
    expect(await info.json()).toEqual({ ok: false, error: 'invalid_auth' });
  });
});
