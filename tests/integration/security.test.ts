import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubSecrets } from '../../src/adapters/logger';
import { SLACK_BODY_LIMIT } from '../../src/adapters/slack/bolt-app';
import { IDS } from '../../src/adapters/slack/ids';
import { encodeGuidanceActionValue, GUIDANCE_ADD_ACTION } from '../../src/adapters/slack/guidance/guidance.blocks';
import { bearer, connector, overSocket } from '../helpers/alerts';
import { ADMIN, type Harness, SIGNING_SECRET, startHarness, TEAM } from '../helpers/harness';
import { computeSlackSignature, fakeTriggerId, slashCommandBody } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';

/**
 * The outside edge: Slack signatures (constant-time in Bolt, via tsscmp) with a five-minute window both
 * ways, size limits that refuse before anything is stored, connector tokens kept as hashes, and
 * button values / private_metadata never deciding who, which workspace or which incident.
 */

const OTHER_TEAM = 'T0BBBB';
const now = () => Math.floor(Date.now() / 1000);

describe.each(dialects())('security at the edge (%s)', (dialect) => {
  let h: Harness;
  let a: { id: string; channel_id: string | null; number: number };
  let b: { id: string; channel_id: string | null; number: number };
  beforeAll(async () => {
    h = await startHarness(dialect);
    h.slack.addTeam({ id: OTHER_TEAM, name: 'Other', botToken: 'xoxb-other', botUserId: 'UBOTB', users: [{ id: 'U0B1', name: 'mallory' }] });
    await h.command('declare sev2 Incident A');
    await h.command('declare sev3 Incident B');
    await h.settle();
    const rows = await h.tdb.db.selectFrom('incidents').select(['id', 'channel_id', 'number']).orderBy('number').execute();
    [a, b] = rows;
    await h.command('action Follow-up of B', { channel: b.channel_id! });
    await h.settle();
  });
  afterAll(async () => h?.close());

  const eventCount = async () => Number((await h.tdb.db.selectFrom('incident_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const post = (body: string, headers: Record<string, string>) => fetch(`${h.app.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const signed = (body: string, ts = now(), secret = SIGNING_SECRET) => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': computeSlackSignature(secret, ts, body) });
  const noteBody = (text: string, trigger = fakeTriggerId()) =>
    slashCommandBody({ teamId: TEAM, userId: ADMIN, channelId: a.channel_id!, command: '/incident', text, triggerId: trigger, responseUrl: h.slack.responseUrl() });

  it('refuses bad, tampered, missing and out-of-window signatures with 401, storing nothing', async () => {
    const before = await eventCount();
    const body = noteBody('note must not land');
    const cases: Array<[string, Record<string, string>, string?]> = [
      ['wrong secret', signed(body, now(), 'not-the-secret')],
      ['tampered body', signed(body), body.replace('must+not+land', 'tampered')],
      ['no signature', { 'x-slack-request-timestamp': String(now()) }],
      ['no timestamp', { 'x-slack-signature': signed(body)['x-slack-signature'] }],
      ['unknown version', { ...signed(body), 'x-slack-signature': signed(body)['x-slack-signature'].replace('v0=', 'v1=') }],
      ['truncated signature', { ...signed(body), 'x-slack-signature': signed(body)['x-slack-signature'].slice(0, 20) }],
      ['6 minutes old', signed(body, now() - 6 * 60)],
      ['6 minutes ahead', signed(body, now() + 6 * 60)],
    ];
    for (const [what, headers, sentBody] of cases) {
      const res = await post(sentBody ?? body, headers);
      expect(res.status, what).toBe(401);
    }
    expect(await eventCount()).toBe(before);
    // Inside the window (4 minutes either way) the same request is fine.
    const late = noteBody('note from 4 minutes ago');
    expect((await post(late, signed(late, now() - 4 * 60))).status).toBe(200);
    const early = noteBody('note from 4 minutes ahead');
    expect((await post(early, signed(early, now() + 4 * 60))).status).toBe(200);
    expect(await eventCount()).toBe(before + 2);
  });

  it('a replayed request (same bytes, same signature) inside the window changes nothing', async () => {
    const body = noteBody('note replayed', '42.42.replay');
    const headers = signed(body);
    expect((await post(body, headers)).status).toBe(200);
    const after = await eventCount();
    for (let i = 0; i < 3; i++) expect((await post(body, headers)).status).toBe(200);
    expect(await eventCount()).toBe(after);
  });

  it(`refuses a Slack body over ${SLACK_BODY_LIMIT} bytes with 413 and stores nothing`, async () => {
    const before = await eventCount();
    const body = noteBody(`note ${'x'.repeat(SLACK_BODY_LIMIT)}`);
    const res = await post(body, signed(body));
    expect(res.status).toBe(413);
    // Just under the limit reaches the app, whose own limit (3,000 characters) answers clearly.
    const big = noteBody(`note ${'y'.repeat(SLACK_BODY_LIMIT - 2000)}`);
    const ok = await post(big, signed(big));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { text: string }).text).toMatch(/characters; the limit is 3000/);
    expect(await eventCount()).toBe(before);
  });

  it('caps every text input: titles, notes, follow-ups, updates, form fields', async () => {
    const before = await eventCount();
    expect((await h.command(`declare ${'t'.repeat(151)}`)).body.text).toMatch(/151 characters; the limit is 150/);
    for (const sub of ['note', 'action', 'update', 'status investigating']) {
      const r = await h.command(`${sub} ${'n'.repeat(3001)}`, { channel: a.channel_id! });
      expect(r.body.text, sub).toMatch(/characters; the limit is 3000/);
    }
    const form = await h.interact({
      type: 'view_submission',
      team: { id: TEAM, domain: 'acme' },
      user: { id: ADMIN, username: 'alice', team_id: TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: '1.2.long',
      view: { id: 'VLONG', team_id: TEAM, type: 'modal', callback_id: IDS.declareModal, private_metadata: '{}', state: { values: { title: { title: { type: 'plain_text_input', value: 'z'.repeat(151) } } } } },
    });
    expect(JSON.stringify(form.body)).toMatch(/At most 150 characters/);
    expect(await eventCount()).toBe(before);
  });

  it('stores connector tokens only as sha256 hashes, refuses wrong and cross-connector tokens, and caps bodies', async () => {
    const one = await connector(h.tdb.db, TEAM, 'generic');
    const two = await connector(h.tdb.db, TEAM, 'generic');
    const rows = await h.tdb.db.selectFrom('connectors').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(one.token);
    expect(dump).not.toContain(two.token);
    expect(rows.find((r) => r.id === one.id)?.token_hash).toBe(createHash('sha256').update(one.token).digest('hex'));
    const send = overSocket(h.app.url);
    const alert = JSON.stringify({ serviceName: 'edge', environment: 'prod', status: 'firing', title: 'edge alert' });
    expect((await send(one.id, alert, bearer(two.token))).status).toBe(401);
    expect((await send(one.id, alert, bearer(`${one.token}x`))).status).toBe(401);
    expect((await send(one.id, alert, bearer('short'))).status).toBe(401);
    expect((await send(one.id, alert, {})).status).toBe(401);
    expect((await send(one.id, `{"serviceName":"edge","pad":"${'p'.repeat(1024 * 1024)}"}`, bearer(one.token))).status).toBe(413);
    expect((await send(one.id, alert, bearer(one.token))).status).toBe(202);
  });

  const press = (o: { team?: string; user?: string; channel: string; actionId: string; value: string }) =>
    h.interact({
      type: 'block_actions',
      team: { id: o.team ?? TEAM, domain: 'x' },
      user: { id: o.user ?? ADMIN, username: 'x', team_id: o.team ?? TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: fakeTriggerId(),
      channel: { id: o.channel, name: 'x' },
      container: { type: 'message', channel_id: o.channel },
      message: { ts: '1.1', type: 'message' },
      response_url: h.slack.responseUrl(),
      actions: [{ action_id: o.actionId, block_id: 'b', value: o.value, type: 'button', action_ts: '1.2' }],
    });
  const settleWrites = () => new Promise((r) => setTimeout(r, 300));

  it("button values never choose the incident: B's follow-up pressed in A's channel, B's id in A's buttons", async () => {
    const before = await eventCount();
    const actionB = (await h.tdb.db.selectFrom('incident_actions').select('action_id').where('incident_id', '=', b.id).executeTakeFirstOrThrow()).action_id;
    await press({ channel: a.channel_id!, actionId: IDS.actionDone, value: actionB });
    await press({ channel: a.channel_id!, actionId: GUIDANCE_ADD_ACTION, value: encodeGuidanceActionValue({ incidentId: b.id, text: 'forged suggestion', safety: 'safe' } as never) });
    await press({ channel: a.channel_id!, actionId: IDS.reminderSnooze, value: b.id });
    await settleWrites();
    expect(await eventCount()).toBe(before);
    expect((await h.tdb.db.selectFrom('incident_actions').select('done').where('action_id', '=', actionB).executeTakeFirstOrThrow()).done).toBe(0);
    expect(await h.tdb.db.selectFrom('reminder_snoozes').selectAll().execute()).toEqual([]);
  });

  it("another workspace's user gets nothing from A's channel ids, buttons or forms", async () => {
    const before = await eventCount();
    const actionB = (await h.tdb.db.selectFrom('incident_actions').select('action_id').where('incident_id', '=', b.id).executeTakeFirstOrThrow()).action_id;
    await press({ team: OTHER_TEAM, user: 'U0B1', channel: b.channel_id!, actionId: IDS.actionDone, value: actionB });
    await press({ team: OTHER_TEAM, user: 'U0B1', channel: a.channel_id!, actionId: IDS.markMitigated, value: a.id });
    const shortcut = await h.interact({ type: 'message_action', callback_id: IDS.shortcutAddToTimeline, team: { id: OTHER_TEAM, domain: 'x' }, user: { id: 'U0B1', username: 'm', team_id: OTHER_TEAM }, api_app_id: 'A0APP0001', trigger_id: fakeTriggerId(), channel: { id: a.channel_id!, name: 'x' }, message: { type: 'message', ts: '1.1', text: 'steal me' }, message_ts: '1.1', response_url: h.slack.responseUrl() });
    expect(shortcut.status).toBe(200);
    const update = await h.interact({
      type: 'view_submission',
      team: { id: OTHER_TEAM, domain: 'x' },
      user: { id: 'U0B1', username: 'm', team_id: OTHER_TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: '3.3.upd',
      view: { id: 'VUPDB', team_id: OTHER_TEAM, type: 'modal', callback_id: IDS.updateModal, private_metadata: JSON.stringify({ channelId: a.channel_id }), state: { values: { [IDS.inputUpdate]: { [IDS.inputUpdate]: { type: 'plain_text_input', value: 'forged update' } } } } },
    });
    expect(JSON.stringify(update.body)).toMatch(/no longer there/);
    await settleWrites();
    expect(await eventCount()).toBe(before);
    // A declare form from B naming A's channel in private_metadata declares in B's workspace, not A's.
    const form = await h.interact({
      type: 'view_submission',
      team: { id: OTHER_TEAM, domain: 'x' },
      user: { id: 'U0B1', username: 'm', team_id: OTHER_TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: '4.4.decl',
      view: { id: 'VDECB', team_id: OTHER_TEAM, type: 'modal', callback_id: IDS.declareModal, private_metadata: JSON.stringify({ channelId: a.channel_id, teamId: TEAM }), state: { values: { title: { title: { type: 'plain_text_input', value: 'Declared from B' } } } } },
    });
    expect(form.status).toBe(200);
    const declared = await h.tdb.db.selectFrom('incidents').select(['org_id']).where('title', '=', 'Declared from B').execute();
    expect(declared).toEqual([{ org_id: OTHER_TEAM }]);
  });
});

describe('log scrubbing (the net under path redaction)', () => {
  it('censors secret-shaped strings and configured values inside free text', () => {
    const line = JSON.stringify({
      msg: 'upstream said: {"headers":{"authorization":"token ghp_abcdefghijklmnopqrstuvwxyz0123456789"}}',
      a: 'xoxb-1234-5678-abcdefghijklmnop',
      b: 'Bearer sk-live-abcdefghijklmnopqrstuvwxyz',
      c: 'connector rvn_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
      d: 'my signing secret is 8f14e45fceea167a5a36dedd4bea2543',
    });
    const out = scrubSecrets(line, ['8f14e45fceea167a5a36dedd4bea2543']);
    for (const s of ['ghp_abcdefghijklmnop', 'xoxb-1234-5678', 'sk-live-abcdef', 'rvn_AbCdEf', '8f14e45fceea167a']) expect(out).not.toContain(s);
    expect(JSON.parse(out).msg).toMatch(/\[redacted\]/);
    // Ordinary words survive.
    expect(scrubSecrets('{"msg":"the token expired; ask for a new token"}')).toBe('{"msg":"the token expired; ask for a new token"}');
  });
});
