import { type WebAPIPlatformError, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { quietLogger } from '../../src/adapters/slack-fake/slack-fake.client';
import { startSlackFake, type SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';

let fake: SlackFake;
let noToken: WebClient;
const client = (token?: string) => new WebClient(token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quietLogger });

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as WebAPIPlatformError).data?.error ?? String(e);
  }
}

const GRANT = { team: { id: 'T0NEW', name: 'Newco', botUserId: 'UBOTN', users: [{ id: 'U0N1', name: 'nia' }] }, scopes: ['commands', 'chat:write'], installerUserId: 'U0N1' };
const exchange = (code: string, secret = 'sekret', extra: Record<string, string> = {}) => noToken.oauth.v2.access({ client_id: '111.222', client_secret: secret, code, ...extra });

beforeAll(async () => {
  fake = await startSlackFake();
  noToken = client();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.state.oauth.registerApp({ clientId: '111.222', clientSecret: 'sekret', appId: 'A0APP' });
});

describe('slack fake: oauth.v2.access', () => {
  it('exchanges a registered code once for a new workspace bot token that works only there', async () => {
    fake.state.oauth.registerCode('c1', GRANT);
    const res = await exchange('c1');
    expect(res).toMatchObject({ ok: true, token_type: 'bot', scope: 'commands,chat:write', bot_user_id: 'UBOTN', app_id: 'A0APP', team: { id: 'T0NEW', name: 'Newco' }, enterprise: null, authed_user: { id: 'U0N1' }, is_enterprise_install: false });
    const bot = client(res.access_token);
    expect(await bot.auth.test()).toMatchObject({ team_id: 'T0NEW', user_id: 'UBOTN' });
    expect(fake.calls.find((c) => c.method === 'oauth.v2.access')?.teamId).toBe('T0NEW');
    expect(await errorOf(exchange('c1'))).toBe('invalid_code');
  });

  it("answers Slack's errors for bad credentials and unknown codes", async () => {
    fake.state.oauth.registerCode('c2', GRANT);
    expect(await errorOf(noToken.oauth.v2.access({ client_id: 'nope', client_secret: 'sekret', code: 'c2' }))).toBe('invalid_client_id');
    expect(await errorOf(exchange('c2', 'wrong'))).toBe('bad_client_secret');
    expect(await errorOf(exchange('never-issued'))).toBe('invalid_code');
    fake.state.oauth.registerCode('c3', { ...GRANT, redirectUri: 'https://app.example/slack/oauth_redirect' });
    expect(await errorOf(exchange('c3'))).toBe('bad_redirect_uri');
  });

  it('accepts the credentials as HTTP Basic auth', async () => {
    fake.state.oauth.registerCode('c4', GRANT);
    const res = await fetch(`${fake.url}oauth.v2.access`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('111.222:sekret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'code=c4',
    });
    expect(await res.json()).toMatchObject({ ok: true, team: { id: 'T0NEW' } });
  });

  it('a revoked token answers token_revoked; reinstalling issues a new one', async () => {
    fake.state.oauth.registerCode('c5', GRANT);
    const first = (await exchange('c5')).access_token!;
    fake.state.revokeTeamTokens('T0NEW');
    expect(await errorOf(client(first).auth.test())).toBe('token_revoked');
    fake.state.oauth.registerCode('c6', GRANT);
    const second = (await exchange('c6')).access_token!;
    expect(second).not.toBe(first);
    expect((await client(second).auth.test()).team_id).toBe('T0NEW');
  });
});
