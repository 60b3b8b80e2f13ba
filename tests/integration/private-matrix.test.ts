import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeDashboard } from '../../src/app/home.service';
import { userActor } from '../../src/app/access.service';
import { bearer, connector, overSocket } from '../helpers/alerts';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { incidentByNumber, press, replyTo, testClock } from '../helpers/postmortem-slack.helpers';
import { PRIVACY_IDS } from '../../src/adapters/slack/privacy/privacy.blocks';
import { type Persona, PERSONAS, slackVisibleTo, tokensFor, webhookReceiver, WHO } from '../helpers/private-matrix.helpers';
import { dialects } from '../helpers/test-db';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';

/**
 * Private incidents: where a private incident's title, channel and text appear, on every surface, for each
 * kind of person. One private incident (declared by `member`, its text carries SECRET words) and one public
 * incident on the same service and words (its related incidents and guidance must not quote the private one).
 *
 * HOW TO ADD A SURFACE (console pages and SSE, insights, catch-up…): append a row to SURFACES with
 *   { name, see: async (persona) => '<everything that persona is shown there, as one string>', shows: {...} }
 * where `shows` says for each persona whether the private incident may appear. `see` gets the harness
 * through the closure (`h`, `tokens`, `priv`, `pub`); use WHO[persona] for the person's Slack user, workspace and
 * token role. The row is then checked for every persona by the `it.each` below; nothing else needs changing.
 *
 * Personas: member (the declarer), nonMember (a responder), viewer, admin (sees it exists and its title; its
 * channel only after an audited join), otherWorkspace (another org's admin). API rows use each persona's API
 * token: tokens are not people, so a member's responder token sees no more than any other non-admin token.
 */
type Shows = Record<Persona, boolean>;
const only = (...who: Persona[]): Shows => Object.fromEntries(PERSONAS.map((p) => [p, who.includes(p)])) as Shows;
const nobody = only();
const everyone = only(...PERSONAS);
const SECRET = /zebrafish|kangaroo|inc-private-1\b/i;

describe.each(dialects())('private incidents: surface × person matrix (%s)', (dialect) => {
  let h: Harness;
  let ai: OpenAiFake;
  let tokens: Record<Persona, string>;
  let hooks: { plain: Awaited<ReturnType<typeof webhookReceiver>>; withPrivate: Awaited<ReturnType<typeof webhookReceiver>> };
  let privId = '';
  let privChannel = '';
  let pubChannel = '';
  let pubId = '';
  let guidancePrompts = '';
  // The bot's clock: three hours ago, so that reminders can fall due without waiting (it must stay in the past).
  const clock = testClock();
  const started = Date.now() - 3 * 3600_000;
  // (Not the incident's id: a 404 may echo the path the caller asked for.)
  const secretIn = (text: string) => SECRET.test(text) || (!!privChannel && text.includes(privChannel));

  const slash = async (p: Persona, text: string, channel?: string) =>
    (await h.command(text, { user: WHO[p].user, team: WHO[p].team, channel })).raw;
  const api = async (p: Persona, path: string) => {
    const res = await fetch(`${h.app.url}/api/v1/orgs/${WHO[p].team}${path}`, { headers: { authorization: `Bearer ${tokens[p]}` } });
    return `${res.status} ${await res.text()}`;
  };

  beforeAll(async () => {
    ai = await startOpenAiFake();
    ai.respondWith({ json: { summary: 'Check the vault.', actions: [] } });
    hooks = { plain: await webhookReceiver(), withPrivate: await webhookReceiver() };
    clock.set(new Date(started).toISOString());
    h = await startHarness(dialect, {
      ANNOUNCE_CHANNEL: 'incidents',
      OPENAI_API_KEY: 'sk-test-private-matrix-0001',
      OPENAI_BASE_URL: ai.url,
      OPENAI_TIMEOUT_MS: '2000',
    }, { now: clock.now, startScheduler: false });
    h.slack.addChannel({ name: 'incidents', members: ['UBOT', 'U0001', 'U0002', 'U0003', 'U0004'] });
    await h.command('access grant <@U0004|dave> viewer');
    tokens = await tokensFor(h);
    await h.command(`webhook add ${hooks.plain.url} incident.*`);
    await h.command(`webhook add ${hooks.withPrivate.url} incident.* --include-private`);

    await h.command('declare --private sev1 Zebrafish credentials leaked from vault', { user: WHO.member.user });
    await h.settle();
    const priv = await incidentByNumber(h, 1);
    privId = priv.id;
    privChannel = priv.channel_id!;
    await h.command('note kangaroo token found in the vault audit log', { user: WHO.member.user, channel: privChannel });
    await h.command('action Rotate the kangaroo keys', { user: WHO.member.user, channel: privChannel });
    await h.command('postmortem', { user: WHO.member.user, channel: privChannel });
    await waitFor(() => h.tdb.db.selectFrom('postmortems').select('incident_id').where('incident_id', '=', privId).executeTakeFirst(), 20_000, 'the draft');
    await h.settle();
    // From here on, every prompt is for another incident than the private one.
    ai.reset();
    ai.respondWith({ json: { summary: 'Check the vault.', actions: [] } });

    await h.command('declare sev2 Vault credentials errors after leak', { user: WHO.nonMember.user });
    await h.settle();
    const pub = await incidentByNumber(h, 2);
    pubId = pub.id;
    pubChannel = pub.channel_id!;
    await h.app.deps.searchIndexer?.flush(); // the private incident is indexed: only the filter keeps it out
    await h.command('guidance', { user: WHO.nonMember.user, channel: pubChannel });
    // Two hours on, reminders fall due: they go to the incident channels only.
    clock.set(new Date(started + 2 * 3600_000).toISOString());
    await h.app.scheduler.tick(clock.now());
    await h.settle(30_000);
    expect(h.slack.messages(privChannel).some((m) => /without a status update/.test(m.text ?? ''))).toBe(true);
    clock.run(); // time moves again (paced summary edits wait for it)
    await h.app.deps.searchIndexer?.flush();
    guidancePrompts = ai.requests.map((r) => r.raw).join('\n');
    expect(guidancePrompts).toContain('Vault credentials errors'); // the guidance prompt was sent
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await ai?.close();
    await hooks?.plain.close();
    await hooks?.withPrivate.close();
  });

  const SURFACES: Array<{ name: string; see: (p: Persona) => Promise<string>; shows: Shows }> = [
    { name: 'slack /incident list all', see: (p) => slash(p, 'list all'), shows: only('member', 'admin') },
    {
      name: 'slack search (/incident list all <words>)',
      // The reply echoes the words the person typed; only what the search found counts.
      see: async (p) => (await slash(p, 'list all kangaroo zebrafish')).replaceAll('kangaroo zebrafish', '…'),
      shows: only('member', 'admin'),
    },
    {
      name: 'slack App Home',
      see: async (p) => {
        const actor = userActor(WHO[p].user, p === 'admin' || p === 'otherWorkspace' ? 'admin' : p === 'viewer' ? 'viewer' : 'responder');
        return JSON.stringify(await homeDashboard({ db: h.tdb.db, defaults: h.config.digest, now: () => new Date() }, { orgId: WHO[p].team, actor }));
      },
      shows: only('member', 'admin'),
    },
    { name: 'slack watchlist digest and its buttons', see: (p) => slash(p, 'watchlist'), shows: nobody },
    {
      // Announcements, reminders, DMs, channel names: whatever Slack lets this person read.
      name: 'slack channels, announcements, reminders and DMs',
      see: async (p) => slackVisibleTo(h, WHO[p].team, WHO[p].user),
      shows: only('member'),
    },
    { name: 'related incidents of another incident (API)', see: (p) => api(p, `/incidents/${pubId}/related`), shows: nobody },
    { name: 'guidance for another incident (channel)', see: async () => slackVisibleTo(h, TEAM, 'U0003').split(pubChannel)[1] ?? '', shows: nobody },
    { name: 'prompts sent to the model for another incident', see: async () => guidancePrompts, shows: nobody },
    { name: 'API list', see: (p) => api(p, '/incidents'), shows: only('admin') },
    { name: 'API get', see: (p) => api(p, `/incidents/${privId}`), shows: only('admin') },
    { name: 'API events', see: (p) => api(p, `/incidents/${privId}/events`), shows: only('admin') },
    { name: 'API search', see: (p) => api(p, '/incidents?q=kangaroo'), shows: only('admin') },
    { name: 'API postmortem listing', see: (p) => api(p, '/postmortems'), shows: only('admin') },
    { name: 'outgoing webhook (no include_private)', see: async () => hooks.plain.bodies.join('\n'), shows: nobody },
    { name: 'outgoing webhook (admin, --include-private)', see: async () => hooks.withPrivate.bodies.join('\n'), shows: everyone },
  ];

  const cells = SURFACES.flatMap((s) => PERSONAS.map((p) => [s.name, p, s] as const));
  it.each(cells)('%s × %s', { timeout: 30_000 }, async (_name, persona, surface) => {
    const seen = await surface.see(persona);
    expect(secretIn(seen), `${surface.name} as ${persona}: ${seen.slice(0, 400)}`).toBe(surface.shows[persona]);
  });

  it('a non-admin token gets exactly the 404 of an incident that does not exist', async () => {
    const missing = await api('nonMember', '/incidents/00000000-0000-0000-0000-000000000000');
    const hidden = await api('nonMember', `/incidents/${privId}`);
    expect(hidden).toBe(missing.replaceAll('00000000-0000-0000-0000-000000000000', privId));
    expect(hidden).toMatch(/^404 /);
    // Writes too: a non-admin token cannot change what it cannot see, and nothing is written.
    const before = (await h.tdb.db.selectFrom('incident_events').select('seq').where('incident_id', '=', privId).execute()).length;
    const res = await fetch(`${h.app.url}/api/v1/orgs/${TEAM}/incidents/${privId}/status`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${tokens.nonMember}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'RESOLVED' }),
    });
    expect(res.status).toBe(404);
    expect((await h.tdb.db.selectFrom('incident_events').select('seq').where('incident_id', '=', privId).execute()).length).toBe(before);
  });

  it('every route under a private incident in the OpenAPI document answers 404 to non-admin tokens, writing nothing', async () => {
    const doc = (await (await fetch(`${h.app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, object> };
    const before = (await h.tdb.db.selectFrom('incident_events').select('seq').where('incident_id', '=', privId).execute()).length;
    let walked = 0;
    for (const [template, ops] of Object.entries(doc.paths)) {
      if (!template.includes('{incidentId}')) continue;
      const path = template
        .replace('{orgId}', TEAM)
        .replace('{incidentId}', privId)
        .replace(/\{[a-zA-Z]+\}/g, 'x');
      for (const method of Object.keys(ops)) {
        for (const p of ['nonMember', 'viewer', 'member'] as const) {
          const res = await fetch(`${h.app.url}/api/v1${path}`, {
            method: method.toUpperCase(),
            headers: { authorization: `Bearer ${tokens[p]}`, 'content-type': 'application/json' },
            body: method === 'get' ? undefined : '{}',
          });
          const body = await res.text();
          expect(res.status, `${method} ${template} as ${p}: ${body.slice(0, 200)}`).toBe(404);
          expect(secretIn(body)).toBe(false);
          walked++;
        }
      }
    }
    expect(walked).toBeGreaterThanOrEqual(3 * 15); // guidance, signals, timeline, postmortem, rollback, follow-ups…
    expect((await h.tdb.db.selectFrom('incident_events').select('seq').where('incident_id', '=', privId).execute()).length).toBe(before);
    const admin = await api('admin', `/incidents/${privId}/guidance`);
    expect(admin).toMatch(/^200 /);
  });

  it("admin views through the API are audited on the incident; public incidents' views are not", async () => {
    await api('admin', `/incidents/${privId}`);
    await api('admin', `/incidents/${pubId}`);
    const views = await h.tdb.db.selectFrom('incident_events').select(['incident_id', 'payload']).where('type', '=', 'PRIVATE_INCIDENT_VIEWED').execute();
    expect(views.length).toBeGreaterThan(0);
    expect(views.every((v) => v.incident_id === privId)).toBe(true);
    expect(JSON.parse(views.at(-1)!.payload)).toMatchObject({ surface: 'api', viewer: expect.stringMatching(/^token:/) });
  });

  it('an admin joins through an audited action and only then reads the channel', async () => {
    expect(slackVisibleTo(h, TEAM, WHO.admin.user)).not.toContain(privChannel);
    const r = await h.command('join INC-1', { user: WHO.admin.user });
    expect(r.body.text).toMatch(/Joining INC-1 as an admin/);
    await h.settle();
    expect(slackVisibleTo(h, TEAM, WHO.admin.user)).toContain(privChannel);
    const types = (await h.tdb.db.selectFrom('incident_events').select('type').where('incident_id', '=', privId).execute()).map((e) => e.type);
    expect(types).toContain('ADMIN_JOINED');
    const refused = await h.command('join INC-1', { user: WHO.nonMember.user });
    expect(refused.body.text).toMatch(/INC-1 is private/);
    expect(refused.raw).not.toMatch(SECRET);
    // The refusal's Request access button asks the commander (here: the admins, as INC-1 has no commander).
    expect(refused.raw).toContain(PRIVACY_IDS.requestAccess);
    const id = await press(h, PRIVACY_IDS.requestAccess, { channel: 'CGENERAL', user: WHO.nonMember.user, value: 'INC-1' });
    expect(await replyTo(h, id, /Asked for access to INC-1/)).toBeTruthy();
    await h.settle();
    const asked = await h.tdb.db.selectFrom('incident_events').select('payload').where('incident_id', '=', privId).where('type', '=', 'ACCESS_REQUESTED').execute();
    expect(asked.map((e) => JSON.parse(e.payload).userId)).toEqual([WHO.nonMember.user]);
  });

  it('an alert connector marked private-only by an admin opens private incidents; others never do', async () => {
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    expect((await h.command(`connector private ${gen.id} on`, { user: WHO.nonMember.user })).body.text).toMatch(/admin role/);
    expect((await h.command(`connector private ${gen.id} on`)).body.text).toMatch(/private incidents only/);
    expect((await h.command('connector private nope on')).body.text).toMatch(/No active connector/);
    const body = JSON.stringify({ serviceName: 'vault', environment: 'prod', status: 'firing', title: 'Okapi vault sealed', metrics: { errorRate: 0.9 } });
    expect((await overSocket(h.app.url)(gen.id, body, bearer(gen.token))).status).toBe(202);
    await h.settle();
    const auto = await h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('title', '=', 'Okapi vault sealed').executeTakeFirstOrThrow();
    expect(auto.visibility).toBe('private');
    expect(h.slack.state.team(TEAM).channels.get(auto.channel_id!)).toMatchObject({ is_private: true, name: `inc-private-${auto.number}` });
    expect(await slash('nonMember', 'list all')).not.toContain('Okapi');
    expect(await slash('admin', 'list all')).toContain('Okapi');
    // A private-only connector's alerts stay off the watchlist (a public surface) and join private incidents only.
    expect(await h.tdb.db.selectFrom('watchlist').select('service').where('service', '=', 'vault').execute()).toEqual([]);
    expect(await slash('member', 'watchlist')).not.toContain('Okapi');
    expect(await slash('admin', 'watchlist')).not.toContain('Okapi');
    await h.command('declare sev3 Vault UI slow', { user: WHO.nonMember.user });
    await h.settle();
    const again = JSON.stringify({ serviceName: 'vault', environment: 'prod', status: 'firing', title: 'Okapi vault unsealed', metrics: { errorRate: 0.9 } });
    expect((await overSocket(h.app.url)(gen.id, again, bearer(gen.token))).status).toBe(202);
    await h.settle();
    const pubVault = await h.tdb.db.selectFrom('incidents').select('id').where('title', '=', 'Vault UI slow').executeTakeFirstOrThrow();
    const onPublic = await h.tdb.db.selectFrom('incident_signals').select('title').where('incident_id', '=', pubVault.id).execute();
    expect(onPublic).toEqual([]); // never correlated into the public incident
  });
});
