import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { PRIVACY_IDS } from '../../src/adapters/slack/privacy/privacy.blocks';
import { NEUTRAL_ANNOUNCEMENT, NEUTRAL_EDITED_ANNOUNCEMENT } from '../../src/adapters/slack/privacy/privacy.planner';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { createApiToken } from '../../src/app/api-tokens.service';
import { viewSubmissionPayload } from '../helpers/slack-signing';
import { type GitHubFake, startGitHubFake } from '../fakes/github-fake.server';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { eventsOf, incidentByNumber, press, previewsIn, replyTo, runPostmortemCommand } from '../helpers/postmortem-slack.helpers';
import { dialects } from '../helpers/test-db';

/**
 * Private incidents end to end through the real Bolt receiver and the Slack fake: a private channel with a
 * neutral name, access requests (approve → invited, deny → told, one per 15 minutes), the one-way switch to
 * private (the announcement already posted is edited), and the postmortem PR going to the private repository.
 */
const TOKEN = 'ghp_private_incidents_token_01';
const DECLARER = 'U0002';
const COMMANDER = 'U0003';
const OUTSIDER = 'U0004';
const LATE = 'U0005';

const members = (h: Harness, channel: string) => h.slack.state.team(TEAM).channels.get(channel)?.members ?? [];
const texts = (h: Harness, channel: string) => h.slack.messages(channel).map((m) => m.text).join('\n');
const dmsTo = (h: Harness, user: string) =>
  [...h.slack.state.team(TEAM).channels.values()].filter((c) => c.is_im && c.imUser === user).flatMap((c) => c.messages);

describe.each(dialects())('private incidents (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  let announce: string;

  beforeAll(async () => {
    gh = await startGitHubFake({ token: TOKEN, owner: 'acme', repo: 'incidents' });
    gh.addRepo('acme', 'security-incidents', { private: true });
    h = await startHarness(dialect, {
      ANNOUNCE_CHANNEL: 'incidents',
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: 'acme/incidents',
      GITHUB_API_URL: gh.url,
    });
    announce = h.slack.addChannel({ name: 'incidents' }).id;
  });
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  let priv: IncidentRow;
  it('declares a private incident: private channel, neutral name, only the declarer in it, nothing announced', async () => {
    const r = await h.command('declare --private sev1 Credential leak in payroll export', { user: DECLARER });
    expect(r.body.text).toMatch(/Declared \*INC-1\*/);
    await h.settle();
    priv = await incidentByNumber(h, 1);
    const ch = h.slack.state.team(TEAM).channels.get(priv.channel_id!)!;
    expect(ch).toMatchObject({ name: 'inc-private-1', is_private: true });
    expect(ch.members.sort()).toEqual(['UBOT', DECLARER].sort());
    expect(texts(h, announce)).toBe('');
    expect(String(h.slack.callsTo('conversations.create').at(-1)?.params.is_private)).toBe('true');
  });

  it('role assignment invites the commander; the commander becomes a member', async () => {
    await h.command(`assign commander <@${COMMANDER}|carol>`, { channel: priv.channel_id!, user: DECLARER });
    await h.settle();
    expect(members(h, priv.channel_id!)).toContain(COMMANDER);
    const rows = await h.tdb.db.selectFrom('incident_members').select('user_id').where('incident_id', '=', priv.id).execute();
    expect(rows.map((x) => x.user_id).sort()).toEqual([DECLARER, COMMANDER].sort());
  });

  it('request access → the commander gets Approve/Deny → approve invites the requester', async () => {
    const r = await h.command('request-access INC-1', { user: OUTSIDER });
    expect(r.body.text).toMatch(/Asked its commander/);
    await h.settle();
    const dm = await waitFor(() => dmsTo(h, COMMANDER).find((m) => JSON.stringify(m.blocks).includes(PRIVACY_IDS.approve)), 5000, 'the DM');
    expect(dm.text).toContain(`<@${OUTSIDER}> asks to join private incident INC-1`);
    expect(dmsTo(h, OUTSIDER)).toEqual([]); // nothing yet, and never the title
    // Only the commander (or an admin) can decide: the requester pressing Approve is refused and changes nothing.
    const value = (JSON.parse(JSON.stringify(dm.blocks)) as Array<{ elements?: Array<{ value?: string }> }>)[1].elements![0].value!;
    const self = await press(h, PRIVACY_IDS.approve, { channel: OUTSIDER, user: OUTSIDER, value });
    expect(await replyTo(h, self, /Only an admin or the commander/)).toBeTruthy();
    const id = await press(h, PRIVACY_IDS.approve, { channel: COMMANDER, user: COMMANDER, value });
    expect(await replyTo(h, id, /You approved/)).toMatch(/INC-1/);
    await h.settle();
    expect(members(h, priv.channel_id!)).toContain(OUTSIDER);
    expect(dmsTo(h, OUTSIDER).map((m) => m.text).join('\n')).toMatch(/approved your request to join INC-1/);
    const types = (await eventsOf(h, priv.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ACCESS_REQUESTED', 'ACCESS_DECIDED', 'MEMBER_ADDED']));
    const decided = (await eventsOf(h, priv.id)).find((e) => e.type === 'ACCESS_DECIDED')!;
    expect(JSON.parse(decided.payload)).toMatchObject({ decision: 'approved', by: COMMANDER, userId: OUTSIDER });
  });

  it('deny tells the requester (number only); a second request within 15 minutes is refused with when to ask again', async () => {
    const r = await h.command('request-access INC-1', { user: LATE });
    expect(r.body.text).toMatch(/Asked/);
    await h.settle();
    const dm = await waitFor(
      () => dmsTo(h, COMMANDER).filter((m) => m.text.includes(`<@${LATE}>`)).at(-1),
      5000,
      'the second DM',
    );
    const value = (dm.blocks as Array<{ elements?: Array<{ value?: string }> }>)[1].elements![1].value!;
    const id = await press(h, PRIVACY_IDS.deny, { channel: COMMANDER, user: COMMANDER, value });
    expect(await replyTo(h, id, /You denied/)).toBeTruthy();
    await h.settle();
    const told = dmsTo(h, LATE).map((m) => m.text).join('\n');
    expect(told).toMatch(/denied your request to join INC-1/);
    expect(told).not.toMatch(/Credential|payroll|inc-private/);
    expect(members(h, priv.channel_id!)).not.toContain(LATE);
    const before = (await eventsOf(h, priv.id)).length;
    const again = await h.command('request-access INC-1', { user: LATE });
    expect(again.body.text).toMatch(/one request per 15 minutes\. You may ask again at \d\d:\d\d UTC/);
    expect((await eventsOf(h, priv.id)).length).toBe(before);
    // A bad reference is refused clearly and writes nothing.
    expect((await h.command('request-access INC-x', { user: LATE })).body.text).toMatch(/by its number/);
    expect((await h.command('request-access INC-99', { user: LATE })).body.text).toMatch(/no INC-99/);
  });

  it('a member invites someone: they become a member and are invited to the channel', async () => {
    const r = await h.command(`invite <@${LATE}|erin>`, { channel: priv.channel_id!, user: DECLARER });
    expect(r.body.text).toMatch(/is now a member of INC-1/);
    await h.settle();
    expect(members(h, priv.channel_id!)).toContain(LATE);
    expect((await h.command(`invite <@${LATE}|erin>`, { channel: priv.channel_id!, user: DECLARER })).body.text).toMatch(/already a member/);
    expect((await h.command('invite', { channel: priv.channel_id!, user: DECLARER })).body.text).toMatch(/Usage/);
  });

  it('the postmortem PR of a private incident is refused while GITHUB_PRIVATE_REPOSITORY is unset', async () => {
    await runPostmortemCommand(h, priv);
    const preview = previewsIn(h, priv.channel_id!)[0];
    const id = await press(h, 'postmortem_create_pr', { channel: priv.channel_id!, message: preview, user: DECLARER });
    expect(await replyTo(h, id, /GITHUB_PRIVATE_REPOSITORY/)).toMatch(/INC-1 is private/);
    expect(gh.pulls('acme', 'incidents')).toEqual([]);
  });

  let pub: IncidentRow;
  it('making a public incident private: new private channel for its members, old one retired, announcement edited', async () => {
    await h.command('declare sev2 Suspicious logins on admin panel', { user: DECLARER });
    await h.settle();
    pub = await incidentByNumber(h, 2);
    const oldChannel = pub.channel_id!;
    await h.command(`assign commander <@${COMMANDER}|carol>`, { channel: oldChannel, user: DECLARER });
    await h.settle();
    const posted = h.slack.messages(announce).find((m) => m.text.includes('Suspicious logins'))!;
    expect(posted).toBeTruthy();
    // Neither a responder who is not the commander nor anyone else may; the commander may.
    h.slack.state.team(TEAM).channels.get(oldChannel)!.members.push(OUTSIDER); // joined the public channel
    const refused = await h.command('private', { channel: oldChannel, user: OUTSIDER });
    expect(refused.body.text).toMatch(/Only an admin or the commander of INC-2/);
    const r = await h.command('private', { channel: oldChannel, user: COMMANDER });
    expect(r.body.text).toMatch(/INC-2 is now private/);
    await h.settle();
    const now = await incidentByNumber(h, 2);
    expect((now as IncidentRow & { visibility: string }).visibility).toBe('private');
    const fresh = h.slack.state.team(TEAM).channels.get(now.channel_id!)!;
    expect(fresh).toMatchObject({ name: 'inc-private-2', is_private: true });
    expect(fresh.members).toEqual(expect.arrayContaining([DECLARER, COMMANDER, OUTSIDER]));
    const old = h.slack.state.team(TEAM).channels.get(oldChannel)!;
    expect(old).toMatchObject({ is_archived: true, name: 'inc-private-2-moved' });
    // The old channel's pinned summary no longer shows the title; the new channel has its own.
    expect(h.slack.messages(oldChannel).find((m) => m.ts === pub.summary_ts)?.text).toBe(NEUTRAL_EDITED_ANNOUNCEMENT);
    expect(now.summary_ts).not.toBe(pub.summary_ts);
    expect(h.slack.messages(now.channel_id!).find((m) => m.ts === now.summary_ts)?.text).toMatch(/Suspicious logins/);
    const edited = h.slack.messages(announce).find((m) => m.ts === posted.ts)!;
    expect(edited.text).toBe(NEUTRAL_EDITED_ANNOUNCEMENT);
    expect(texts(h, announce)).not.toMatch(/Suspicious logins/);
    // Later updates are not announced at all.
    await h.command('update Rotated the admin keys', { channel: now.channel_id!, user: COMMANDER });
    await h.settle();
    expect(texts(h, announce)).not.toMatch(/Rotated/);
  });

  it('a private incident cannot be made public, and says why', async () => {
    const now = await incidentByNumber(h, 2);
    const r = await h.command('public', { channel: now.channel_id!, user: 'U0001' });
    expect(r.body.text).toMatch(/INC-2 is private and stays private/);
    const again = await h.command('private', { channel: now.channel_id!, user: 'U0001' });
    expect(again.body.text).toMatch(/already private/);
  });
});

describe.each(dialects())('private incidents: postmortem PR to GITHUB_PRIVATE_REPOSITORY (%s)', (dialect) => {
  let h: Harness;
  let gh: GitHubFake;
  beforeAll(async () => {
    gh = await startGitHubFake({ token: TOKEN, owner: 'acme', repo: 'incidents' });
    gh.addRepo('acme', 'security-incidents', { private: true });
    h = await startHarness(dialect, {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: 'acme/incidents',
      GITHUB_PRIVATE_REPOSITORY: 'acme/security-incidents',
      GITHUB_API_URL: gh.url,
    });
  });
  afterAll(async () => {
    await h?.close();
    await gh?.stop();
  });

  it('opens the pull request in the private repository, never the shared one', async () => {
    await h.command('declare --private sev2 HR data exposure', { user: DECLARER });
    await h.settle();
    const inc = await incidentByNumber(h, 1);
    await runPostmortemCommand(h, inc);
    const preview = previewsIn(h, inc.channel_id!)[0];
    const id = await press(h, 'postmortem_create_pr', { channel: inc.channel_id!, message: preview, user: DECLARER });
    expect(await replyTo(h, id, /pull request/i)).toBeTruthy();
    expect(gh.pulls('acme', 'security-incidents')).toHaveLength(1);
    expect(gh.pulls('acme', 'incidents')).toEqual([]);
  });
});

describe.each(dialects())('private incidents: declare form, REST API, PRIVATE_ANNOUNCE=neutral, rebuild (%s)', (dialect) => {
  let h: Harness;
  let announce: string;
  beforeAll(async () => {
    h = await startHarness(dialect, { ANNOUNCE_CHANNEL: 'incidents', PRIVATE_ANNOUNCE: 'neutral', PRIVATE_CHANNEL_PREFIX: 'sec' });
    announce = h.slack.addChannel({ name: 'incidents' }).id;
  });
  afterAll(async () => h?.close());

  it('the declare form has a Private checkbox; ticked, the incident is private and only a neutral line is announced', async () => {
    const opened = await h.command('declare --private', { user: DECLARER });
    expect(opened.status).toBe(200);
    const view = await waitFor(() => h.slack.views().at(-1), 5000, 'the declare form');
    expect(JSON.stringify(view.view)).toContain('"initial_options"'); // --private ticks the box
    const values = {
      title: { title: { type: 'plain_text_input', value: 'Badge reader tampering at HQ' } },
      [PRIVACY_IDS.inputPrivate]: { [PRIVACY_IDS.inputPrivate]: { type: 'checkboxes', selected_options: [{ value: 'private' }] } },
    };
    const res = await h.interact(
      viewSubmissionPayload({ teamId: TEAM, userId: DECLARER, viewId: String(view.view.id), callbackId: 'declare_incident_modal', values }),
    );
    expect(res.status).toBe(200);
    await h.settle();
    const inc = await incidentByNumber(h, 1);
    expect((inc as IncidentRow & { visibility: string }).visibility).toBe('private');
    expect(h.slack.state.team(TEAM).channels.get(inc.channel_id!)).toMatchObject({ name: 'sec-1', is_private: true });
    expect(h.slack.messages(announce).map((m) => m.text)).toEqual([NEUTRAL_ANNOUNCEMENT]);
  });

  it('POST /incidents with "visibility":"private" declares a private incident; a bad value is refused and writes nothing', async () => {
    const { secret } = await createApiToken(h.tdb.db, { orgId: TEAM, name: 'sec-bot', role: 'admin', createdBy: 'test', now: new Date() });
    const post = (body: unknown) =>
      fetch(`${h.app.url}/api/v1/orgs/${TEAM}/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const before = await h.tdb.db.selectFrom('incident_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const bad = await post({ title: 'Nope', visibility: 'secret' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/visibility/);
    const after = await h.tdb.db.selectFrom('incident_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const ok = await post({ title: 'Payroll export exposed', severity: 'SEV2', visibility: 'private' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ visibility: 'private', number: 2 });
    await h.settle();
    const inc = await incidentByNumber(h, 2);
    expect(h.slack.state.team(TEAM).channels.get(inc.channel_id!)).toMatchObject({ name: 'sec-2', is_private: true });
    expect(texts(h, announce)).not.toMatch(/Payroll/);
  });

  it('a projections rebuild keeps visibility and members', async () => {
    const before = await h.tdb.db.selectFrom('incident_members').selectAll().orderBy('incident_id').orderBy('user_id').execute();
    expect(before.length).toBeGreaterThan(0);
    await rebuildProjections(h.tdb.db);
    expect(await h.tdb.db.selectFrom('incident_members').selectAll().orderBy('incident_id').orderBy('user_id').execute()).toEqual(before);
    const vis = await h.tdb.db.selectFrom('incidents').select('visibility').execute();
    expect(vis.map((v) => v.visibility)).toEqual(['private', 'private']);
  });
});
