import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOAuthGrant } from '../../src/adapters/slack-fake/slack-fake.oauth';
import { createLogger } from '../../src/adapters/logger';
import { BOT_SCOPES } from '../../src/adapters/slack/oauth-mode';
import { type Harness, startHarness, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

const CLIENT_ID = '1234567890.0987654321';
const CLIENT_SECRET = 'oauth-client-secret-0123456789';
const A = 'T0ALPHA01';
const B = 'T0BETA002';
const grant = (team: string, name: string, user: string, bot: string): FakeOAuthGrant => ({
  team: { id: team, name, botUserId: bot, users: [{ id: user, name: user.toLowerCase() }] },
  scopes: [...BOT_SCOPES],
  installerUserId: user,
});
const GRANT_A = grant(A, 'Alpha', 'U0A1', 'UBOTA');
const GRANT_B = grant(B, 'Beta', 'U0B1', 'UBOTB');

describe.each(dialects())('multi-workspace OAuth and tenancy (%s)', (dialect) => {
  let h: Harness;
  /** Everything the app logged, to wait on handlers that answer nobody and to check no token leaks. */
  const logs: string[] = [];
  const logged = (msg: string) => logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);
  const db = () => h.tdb.db;
  const events = (incidentId: string) => db().selectFrom('incident_events').select(['type', 'seq']).where('incident_id', '=', incidentId).orderBy('seq').execute();
  const incident = (org: string, n: number) => db().selectFrom('incidents').selectAll().where('org_id', '=', org).where('number', '=', n).executeTakeFirstOrThrow();
  const installation = (org: string) => db().selectFrom('slack_installations').selectAll().where('org_id', '=', org).executeTakeFirst();
  /** Deliver what is due, then what comes due within seconds (a paced summary edit's trailing row, edit-pacing.ts). */
  const drain = async () => {
    for (;;) {
      await h.app.worker.drain();
      const next = await db().selectFrom('outbox').select((eb) => eb.fn.min('next_attempt_at').as('at')).where('status', '=', 'pending').executeTakeFirst();
      const wait = next?.at ? Date.parse(next.at) - Date.now() : Infinity;
      if (wait > 5_000) return;
      await new Promise((r) => setTimeout(r, Math.max(0, wait) + 10));
    }
  };

  /** The browser's part of the flow: /slack/install → Slack's authorize page (skipped: the code is pre-registered) → redirect back. */
  async function install(g: FakeOAuthGrant, code: string, o: { cookie?: boolean } = {}) {
    h.slack.state.oauth.registerCode(code, g);
    const start = await fetch(`${h.app.url}/slack/install`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(authorize.searchParams.get('scope')!.split(',')).toEqual([...BOT_SCOPES]);
    const state = authorize.searchParams.get('state')!;
    const cookie = start.headers.get('set-cookie')!.split(';')[0];
    expect(cookie.endsWith(`=${state}`)).toBe(true);
    const back = await fetch(`${h.app.url}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, {
      redirect: 'manual',
      headers: o.cookie === false ? {} : { cookie },
    });
    return { status: back.status, html: await back.text() };
  }

  beforeAll(async () => {
    h = await startHarness(
      dialect,
      { SLACK_BOT_TOKEN: '', SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET, SLACK_STATE_SECRET: 'state-secret-for-tests-0123456789' },
      { startWorker: false, logger: createLogger('info', { write: (line: string) => void logs.push(line) }) },
    );
    h.slack.state.oauth.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, appId: 'A0REVENANT' });
  });
  afterAll(async () => h?.close());

  it('refuses a redirect without the state cookie, and an unknown code; stores nothing', async () => {
    expect((await install(GRANT_A, 'code-no-cookie', { cookie: false })).status).toBe(400);
    h.slack.state.oauth.takeCode('code-no-cookie');
    const start = await fetch(`${h.app.url}/slack/install`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const bad = await fetch(`${h.app.url}/slack/oauth_redirect?code=never-issued&state=${state}`, { headers: { cookie: start.headers.get('set-cookie')!.split(';')[0] } });
    expect(bad.status).toBe(500);
    expect(h.slack.callsTo('oauth.v2.access').at(-1)?.response).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await db().selectFrom('slack_installations').selectAll().execute()).toEqual([]);
  });

  it('installs two workspaces through the real OAuth flow; tokens are encrypted at rest', async () => {
    for (const [g, code] of [[GRANT_A, 'code-alpha'], [GRANT_B, 'code-beta']] as const) {
      const done = await install(g, code);
      expect(done.status).toBe(200);
      expect(done.html).toContain(`slack://app?team=${g.team.id}&amp;id=A0REVENANT`);
    }
    const exchanges = h.slack.callsTo('oauth.v2.access').filter((c) => c.response.ok);
    expect(exchanges.map((c) => c.teamId)).toEqual([A, B]);
    for (const [org, bot] of [[A, 'UBOTA'], [B, 'UBOTB']]) {
      const row = (await installation(org))!;
      const token = h.slack.state.team(org).botToken;
      expect(row).toMatchObject({ org_id: org, team_id: org, enterprise_id: null, bot_user_id: bot, bot_id: `B${bot.slice(1)}`, revoked_at: null });
      expect(row.bot_token).toMatch(/^v1\./);
      expect(`${row.bot_token}${row.installation}`).not.toContain(token);
    }
  });

  it("declares land in each team's own workspace, made with that team's token", async () => {
    expect((await h.command('declare sev2 Alpha database down', { team: A, user: 'U0A1' })).body.text).toMatch(/Declared \*INC-1\*/);
    expect((await h.command('declare sev3 Beta queue backlog', { team: B, user: 'U0B1' })).body.text).toMatch(/Declared \*INC-1\*/);
    await drain();
    const chA = h.slack.findChannelByName('inc-1-alpha-database-down', A)!;
    const chB = h.slack.findChannelByName('inc-1-beta-queue-backlog', B)!;
    expect(chA.members).toContain('U0A1');
    expect(chB.members).toContain('U0B1');
    expect(h.slack.findChannelByName('inc-1-alpha-database-down', B)).toBeUndefined();
    expect(h.slack.findChannelByName('inc-1-beta-queue-backlog', A)).toBeUndefined();
    const creates = h.slack.callsTo('conversations.create').filter((c) => c.response.ok);
    expect(creates.map((c) => [c.teamId, c.params.name])).toEqual([[A, 'inc-1-alpha-database-down'], [B, 'inc-1-beta-queue-backlog']]);
    expect((await incident(A, 1)).channel_id).toBe(chA.id);
    expect((await incident(B, 1)).channel_id).toBe(chB.id);
  });

  it("team B cannot list, read or change team A's incidents, even with A's ids", async () => {
    const a = await incident(A, 1);
    const b = await incident(B, 1);
    await h.command('action Check replica lag', { team: A, user: 'U0A1', channel: a.channel_id! });
    const actionA = await db().selectFrom('incident_actions').selectAll().where('incident_id', '=', a.id).executeTakeFirstOrThrow();
    const beforeA = await events(a.id);
    const beforeB = await events(b.id);

    const list = await h.command('list all', { team: B, user: 'U0B1' });
    expect(list.body.text).toContain('Beta queue backlog');
    expect(JSON.stringify(list.body)).not.toContain('Alpha');
    // A's channel id in a request signed for B: not an incident channel of B.
    for (const text of ['timeline', 'note forged from beta', 'status resolved', 'severity sev1']) {
      const r = await h.command(text, { team: B, user: 'U0B1', channel: a.channel_id! });
      expect(r.body.text, text).toMatch(/works inside an incident channel/);
      expect(JSON.stringify(r.body), text).not.toContain('Alpha');
    }
    // A's action id on a button pressed in B: in A's channel, and in B's own incident channel.
    const press = (channel: string, team: string, user: string) =>
      h.interact({ type: 'block_actions', team: { id: team, domain: 'x' }, user: { id: user, username: 'x', team_id: team }, api_app_id: 'A0REVENANT', trigger_id: `9.${Math.random()}.t`, channel: { id: channel, name: 'x' }, container: { type: 'message', channel_id: channel }, message: { ts: '1.1', type: 'message' }, response_url: h.slack.responseUrl(), actions: [{ action_id: 'action_done', block_id: 'b', value: actionA.action_id, type: 'button', action_ts: '1.2' }] });
    const answered = h.slack.responses.length;
    expect((await press(a.channel_id!, B, 'U0B1')).status).toBe(200);
    expect((await press(b.channel_id!, B, 'U0B1')).status).toBe(200);
    // Each refused press answers the presser (through response_url) once its listener is done.
    await waitFor(() => h.slack.responses.length >= answered + 2, 3000, 'both refusals');
    expect(await events(b.id)).toEqual(beforeB);
    // A modal submitted in B whose private_metadata names A: the incident is B's.
    const forgedMeta = JSON.stringify({ channelId: a.channel_id, teamId: A, orgId: A, team_id: A });
    const sub = await h.interact({ type: 'view_submission', team: { id: B, domain: 'x' }, user: { id: 'U0B1', username: 'x', team_id: B }, api_app_id: 'A0REVENANT', trigger_id: '9.9.modal', view: { id: 'V0FORGED', team_id: B, app_installed_team_id: B, type: 'modal', callback_id: 'declare_incident_modal', private_metadata: forgedMeta, state: { values: { title: { title: { type: 'plain_text_input', value: 'Forged metadata' } }, severity: { severity: { type: 'static_select', selected_option: { value: 'SEV4' } } }, service: { service: { type: 'plain_text_input', value: null } }, description: { description: { type: 'plain_text_input', value: null } } } } } });
    expect(sub.status).toBe(200);
    // B pins a message of A's channel, then (the control) one of its own: once B's own lands, the forged one was handled.
    const pin = (channel: string) => h.event({ type: 'reaction_added', user: 'U0B1', reaction: 'pushpin', item: { type: 'message', channel, ts: h.slack.messages(channel)[0].ts }, item_user: 'UBOTB' }, { team: B });
    await pin(a.channel_id!);
    await pin(b.channel_id!);
    await waitFor(async () => (await events(b.id)).length === beforeB.length + 1, 3000, "B's own pin");
    expect((await events(b.id)).at(-1)?.type).toBe('NOTE_ADDED');
    await h.event({ type: 'app_home_opened', user: 'U0B1', channel: 'D0HOME', tab: 'home' }, { team: B });

    const forged = await waitFor(() => db().selectFrom('incidents').selectAll().where('title', '=', 'Forged metadata').executeTakeFirst(), 3000, 'modal incident');
    expect(forged).toMatchObject({ org_id: B, number: 2 });
    const home = await waitFor(() => h.slack.homeTab('U0B1', B), 3000, "B's home tab");
    expect(JSON.stringify(home.view)).toContain('Beta queue backlog');
    expect(JSON.stringify(home.view)).not.toContain('Alpha');
    expect(await events(a.id)).toEqual(beforeA);
    expect((await db().selectFrom('incident_actions').select('done').where('action_id', '=', actionA.action_id).executeTakeFirstOrThrow()).done).toBe(0);
    expect(await db().selectFrom('incidents').select('id').where('org_id', '=', A).execute()).toHaveLength(1);

    // The same button pressed by A in A's channel works: the refusals above were tenancy, not a broken path.
    await press(a.channel_id!, A, 'U0A1');
    await waitFor(async () => (await db().selectFrom('incident_actions').select('done').where('action_id', '=', actionA.action_id).executeTakeFirstOrThrow()).done === 1, 3000, "A's Done");
  });

  it("uninstalling A deletes its tokens: A's pending effects fail as workspace_not_installed, B is unaffected", async () => {
    await drain();
    const a = await incident(A, 1);
    const b = await incident(B, 1);
    await h.command('update Failing over to the replica', { team: A, user: 'U0A1', channel: a.channel_id! });
    await h.command('update Scaling consumers', { team: B, user: 'U0B1', channel: b.channel_id! });
    const pending = (org: string) => db().selectFrom('outbox').select('id').where('org_id', '=', org).where('status', '=', 'pending').execute();
    const pendingA = (await pending(A)).map((r) => r.id);
    expect(pendingA.length).toBeGreaterThan(0);
    expect((await pending(B)).length).toBeGreaterThan(0);

    expect((await h.event({ type: 'app_uninstalled' }, { team: A })).status).toBe(200);
    await waitFor(async () => (await installation(A))?.revoked_at, 3000, 'revocation');
    h.slack.state.revokeTeamTokens(A); // Slack kills the token too
    expect(await installation(A)).toMatchObject({ bot_token: null, installation: null });
    const callsBefore = h.slack.calls.length;
    await drain();

    const rows = await db().selectFrom('outbox').select(['id', 'org_id', 'status', 'last_error']).where('id', 'in', pendingA).execute();
    expect(rows.every((r) => r.status === 'failed' && r.last_error === 'workspace_not_installed')).toBe(true);
    expect(await pending(B)).toEqual([]);
    const after = h.slack.calls.slice(callsBefore);
    expect(after.filter((c) => c.teamId === A || c.response.error === 'token_revoked')).toEqual([]);
    expect(after.some((c) => c.teamId === B && c.method === 'chat.postMessage' && String(c.params.text).includes('Scaling consumers'))).toBe(true);

    // A's slash commands no longer reach a listener; B's still do.
    const beforeA = await events(a.id);
    expect((await h.command('note after uninstall', { team: A, user: 'U0A1', channel: a.channel_id! })).status).toBe(200);
    expect(await events(a.id)).toEqual(beforeA);
    expect((await h.command('note still here', { team: B, user: 'U0B1', channel: b.channel_id! })).body.text).toBe('Added to the timeline.');
  });

  it('reinstalling A restores it with a fresh token; revoking B’s bot token stops B', async () => {
    expect((await install(GRANT_A, 'code-alpha-again')).status).toBe(200);
    expect(await installation(A)).toMatchObject({ revoked_at: null });
    expect((await h.command('declare Alpha is back', { team: A, user: 'U0A1' })).body.text).toMatch(/INC-2/);
    await drain();
    expect(h.slack.findChannelByName('inc-2-alpha-is-back', A)).toBeDefined();

    // A user-token revocation leaves the bot alone; a bot-token revocation ends B's effects.
    await h.event({ type: 'tokens_revoked', tokens: { oauth: ['U0B1'] } }, { team: B });
    await waitFor(() => logged('Slack user token revoked').length === 1, 3000, 'user-token revocation handled');
    expect(await installation(B)).toMatchObject({ revoked_at: null });
    await h.event({ type: 'tokens_revoked', tokens: { bot: ['UBOTB'] } }, { team: B });
    await waitFor(async () => (await installation(B))?.revoked_at, 3000, "B's revocation");
    expect(await installation(B)).toMatchObject({ bot_token: null, installation: null });
    expect((await h.command('note after revocation', { team: B, user: 'U0B1', channel: (await incident(B, 1)).channel_id! })).body).toBeUndefined();
  });

  it('never logs a token', () => {
    expect(logged('Slack app installed').map((l) => l.orgId)).toEqual([A, B, A]);
    const tokens = [...h.slack.state.teams.values()].map((t) => t.botToken).filter((t) => t.includes('-fake'));
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const t of tokens) expect(logs.join('\n')).not.toContain(t);
    expect(logs.join('\n')).not.toContain(CLIENT_SECRET);
  });

  it('a request for a workspace that never installed us runs no listener', async () => {
    const r = await h.command('declare Stranger danger', { team: 'T0NOBODY', user: 'U0X' });
    expect(r.status).toBe(200);
    expect(await db().selectFrom('incidents').select('id').where('org_id', '=', 'T0NOBODY').execute()).toEqual([]);
  });
});

describe('single-workspace mode', () => {
  it('does not serve the OAuth paths (404), and the server survives the request', async () => {
    const h = await startHarness('sqlite');
    try {
      for (const path of ['/slack/install', '/slack/oauth_redirect?code=x&state=y', '/slack/nope']) expect((await fetch(`${h.app.url}${path}`)).status, path).toBe(404);
      expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
