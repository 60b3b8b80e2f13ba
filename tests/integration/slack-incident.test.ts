import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { EFFECT_METADATA_TYPE } from '../../src/adapters/slack/ids';
import { ADMIN, type Harness, SIGNING_SECRET, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

const events = (h: Harness, incidentId?: string) => {
  let q = h.tdb.db.selectFrom('incident_events').select(['type', 'seq', 'incident_id', 'org_id']).orderBy('position');
  if (incidentId) q = q.where('incident_id', '=', incidentId);
  return q.execute();
};
const incidentByNumber = (h: Harness, n: number) => h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('number', '=', n).executeTakeFirstOrThrow();

describe.each(dialects())('incident spine over signed Slack requests (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  it('declares: acked fast, channel created, declarer invited, summary posted and pinned, event stored', async () => {
    const r = await h.command('declare sev2 Checkout latency spike', { user: 'U0002' });
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    expect(r.body.text).toMatch(/Declared \*INC-1\* \(SEV2\): Checkout latency spike/);
    await h.settle();
    const ch = h.slack.findChannelByName('inc-1-checkout-latency-spike');
    expect(ch).toBeDefined();
    expect(ch!.members).toContain('U0002');
    const summary = h.slack.messages(ch!.id).find((m) => m.metadata?.event_type === EFFECT_METADATA_TYPE);
    expect(summary?.pinned_to).toContain(ch!.id);
    const inc = await incidentByNumber(h, 1);
    expect(inc).toMatchObject({ channel_id: ch!.id, summary_ts: summary!.ts, severity: 'SEV2', status: 'OPEN', created_by: 'U0002' });
    expect((await events(h, inc.id)).map((e) => e.type)).toEqual(['INCIDENT_CREATED', 'CHANNEL_LINKED', 'SUMMARY_POSTED']);
  });

  it('a second incident with the same title gets a distinct valid channel; a taken name gets a suffix', async () => {
    await h.command('declare sev3 Checkout latency spike');
    h.slack.addChannel({ name: 'inc-3-payments-down', creator: 'U0005' });
    await h.command('declare Payments down');
    await h.settle();
    expect(h.slack.findChannelByName('inc-2-checkout-latency-spike')).toBeDefined();
    const third = await incidentByNumber(h, 3);
    expect(third.channel_name).toBe('inc-3-payments-down-2');
    expect(third.channel_name).toMatch(/^[a-z0-9_-]{1,80}$/);
  });

  it('runs the incident from its channel: one event per command, summary edited in place, timeline complete', async () => {
    const inc = await incidentByNumber(h, 1);
    const ch = inc.channel_id!;
    const updatesBefore = h.slack.callsTo('chat.update').filter((c) => c.params.ts === inc.summary_ts).length;
    const summaryPostsBefore = h.slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.params.metadata ?? '').includes(`summary:${inc.id}`)).length;
    const script = [
      'status investigating Looking at the dashboards',
      'severity sev1',
      'assign commander <@U0003|carol>',
      'note p99 jumped at 10:02 after deploy 4411',
      'action Add an alert on checkout p99',
      'update Rolling back deploy 4411',
      'status mitigated Rolled back',
      'status resolved Latency normal for 30 minutes',
    ];
    for (const text of script) {
      const before = (await events(h, inc.id)).length;
      const r = await h.command(text, { channel: ch });
      expect(r.status, text).toBe(200);
      expect(r.body.text, text).not.toMatch(/:warning:|:x:/);
      expect((await events(h, inc.id)).length, text).toBe(before + 1);
      await h.settle();
    }
    const after = await incidentByNumber(h, 1);
    expect(after).toMatchObject({ status: 'RESOLVED', severity: 'SEV1', commander_id: 'U0003', note_count: 1, action_count: 1 });
    const updates = h.slack.callsTo('chat.update').filter((c) => c.params.ts === inc.summary_ts).length;
    expect(updates - updatesBefore).toBeGreaterThanOrEqual(script.length - 2); // coalesced edits may fold neighbours
    const summaryPosts = h.slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.params.metadata ?? '').includes(`summary:${inc.id}`)).length;
    expect(summaryPosts).toBe(summaryPostsBefore); // edited, never re-posted
    const pinned = h.slack.messages(ch).find((m) => m.ts === inc.summary_ts)!;
    expect(JSON.stringify(pinned.blocks)).toContain('Resolved');
    expect(JSON.stringify(pinned.blocks)).toContain('SEV1');
    expect(h.slack.channel(ch)!.members).toContain('U0003');
    const tl = await h.command('timeline', { channel: ch });
    const text = JSON.stringify(tl.body.blocks);
    for (const needle of ['changed status open → investigating', 'changed severity SEV2 → SEV1', 'made <@U0003> commander', 'noted: p99 jumped', 'added follow-up: Add an alert', 'posted an update: Rolling back', 'mitigated → resolved']) {
      expect(text).toContain(needle);
    }
  });

  it('refuses mitigated after resolved, with a reason, leaving the log unchanged', async () => {
    const inc = await incidentByNumber(h, 1);
    const before = await events(h, inc.id);
    const r = await h.command('status mitigated', { channel: inc.channel_id! });
    expect(r.body.text).toMatch(/reopen it with `status investigating`/);
    expect(await events(h, inc.id)).toEqual(before);
  });

  it('a Slack retry of the same request creates nothing twice', async () => {
    const inc = await incidentByNumber(h, 2);
    await h.settle();
    const first = await h.command('note retried note', { channel: inc.channel_id!, triggerId: '111.222.retry' });
    const again = await h.command('note retried note', { channel: inc.channel_id!, triggerId: '111.222.retry', retryNum: 1 });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    const notes = (await events(h, inc.id)).filter((e) => e.type === 'NOTE_ADDED');
    expect(notes).toHaveLength(1);
    const declares = await h.command('declare sev4 Retry me', { triggerId: '333.444.retry' });
    await h.command('declare sev4 Retry me', { triggerId: '333.444.retry', retryNum: 1 });
    expect(declares.status).toBe(200);
    expect((await events(h)).filter((e) => e.type === 'INCIDENT_CREATED')).toHaveLength(4);
    await h.settle();
    expect(h.slack.state.teams.get(TEAM)!.channels.size).toBeGreaterThan(0);
    expect([...h.slack.state.teams.get(TEAM)!.channels.values()].filter((c) => c.name.includes('retry-me'))).toHaveLength(1);
  });

  it('a viewer cannot change severity', async () => {
    await h.command('access grant <@U0004|dave> viewer');
    const inc = await incidentByNumber(h, 2);
    const before = await events(h, inc.id);
    const r = await h.command('severity sev1', { channel: inc.channel_id!, user: 'U0004' });
    expect(r.body.text).toMatch(/SRE lead|viewer/i);
    expect(await events(h, inc.id)).toEqual(before);
  });

  it("workspace B's users cannot touch workspace A's incidents, even from A's channel id", async () => {
    const inc = await incidentByNumber(h, 2);
    const before = await events(h, inc.id);
    const r = await h.command('note from another workspace', { channel: inc.channel_id!, team: 'T0BBBB', user: 'U0B1' });
    expect(r.body.text).toMatch(/incident channel/);
    const list = await h.command('list all', { team: 'T0BBBB', user: 'U0B1' });
    expect(list.body.text).toBe('No incidents yet.');
    expect(await events(h, inc.id)).toEqual(before);
  });

  it('bad input gets a clear answer and writes nothing', async () => {
    const all = await events(h);
    const bad = await h.command('declare sev2 nope', { secret: 'wrong-secret' });
    expect(bad.status).toBe(401);
    const stale = await h.command('declare sev2 nope', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect((await h.command('frobnicate')).body.text).toMatch(/don't know `frobnicate`[\s\S]*declare/);
    expect((await h.command('')).body.text).toMatch(/`\/incident` commands/);
    expect((await h.command('note outside')).body.text).toMatch(/works inside an incident channel/);
    expect((await h.command(`declare ${'x'.repeat(151)}`)).body.text).toMatch(/151 characters; the limit is 150/);
    const inc = await incidentByNumber(h, 2);
    expect((await h.command('assign commander @nobody', { channel: inc.channel_id! })).body.text).toMatch(/not a user mention/);
    expect((await h.command('assign commander <@U0NOPE|ghost>', { channel: inc.channel_id! })).body.text).toMatch(/can't find the user/);
    expect((await h.command('status sideways', { channel: inc.channel_id! })).body.text).toMatch(/not a status/);
    expect(await events(h)).toEqual(all);
  });

  it('declare without a title opens the modal; submitting it declares', async () => {
    const r = await h.command('declare');
    expect(r.status).toBe(200);
    const opened = await waitFor(() => h.slack.callsTo('views.open').find((c) => c.params.trigger_id === r.triggerId), 3000, 'views.open');
    expect(opened.params.trigger_id).toBe(r.triggerId);
    const view = (typeof opened.params.view === 'string' ? JSON.parse(opened.params.view) : opened.params.view) as Record<string, string>;
    expect(view.callback_id).toBe('declare_incident_modal');
    const sub = await h.interact({
      type: 'view_submission',
      team: { id: TEAM, domain: 'acme' },
      user: { id: ADMIN, username: 'alice', team_id: TEAM },
      api_app_id: 'A0APP0001',
      trigger_id: '999.1.modal',
      view: {
        id: 'V0MODAL1',
        team_id: TEAM,
        type: 'modal',
        callback_id: 'declare_incident_modal',
        private_metadata: view.private_metadata,
        state: { values: { title: { title: { type: 'plain_text_input', value: 'Search is slow' } }, severity: { severity: { type: 'static_select', selected_option: { value: 'SEV2' } } }, service: { service: { type: 'plain_text_input', value: 'search' } }, description: { description: { type: 'plain_text_input', value: null } } } },
      },
    });
    expect(sub.status).toBe(200);
    const last = await h.tdb.db.selectFrom('incidents').selectAll().orderBy('number', 'desc').executeTakeFirstOrThrow();
    expect(last).toMatchObject({ title: 'Search is slow', severity: 'SEV2', service: 'search' });
  });

  it('message shortcut and :pushpin: add a message to the timeline once', async () => {
    const inc = await incidentByNumber(h, 2);
    await h.settle();
    const msg = h.slack.messages(inc.channel_id!)[0];
    const payload = {
      type: 'message_action',
      callback_id: 'add_to_timeline',
      team: { id: TEAM, domain: 'acme' },
      user: { id: ADMIN, username: 'alice', team_id: TEAM },
      channel: { id: inc.channel_id!, name: inc.channel_name },
      message: { type: 'message', ts: msg.ts, user: msg.user, text: msg.text },
      trigger_id: '5.5.shortcut',
      response_url: h.slack.responseUrl(),
      api_app_id: 'A0APP0001',
      message_ts: msg.ts,
    };
    expect((await h.interact(payload)).status).toBe(200);
    const notes = () => h.tdb.db.selectFrom('incident_timeline').select('text').where('incident_id', '=', inc.id).where('type', '=', 'NOTE_ADDED').execute().then((r) => r.filter((n) => n.text.includes('added a message')));
    await waitFor(async () => (await notes()).length === 1, 3000, 'shortcut note');
    await h.event({ type: 'reaction_added', user: ADMIN, reaction: 'pushpin', item: { type: 'message', channel: inc.channel_id!, ts: msg.ts }, item_user: msg.user });
    // A second message pinned does land: proves the reaction path works, so the first one's absence is dedup.
    const other = h.slack.messages(inc.channel_id!)[1];
    await h.event({ type: 'reaction_added', user: ADMIN, reaction: 'pushpin', item: { type: 'message', channel: inc.channel_id!, ts: other.ts }, item_user: other.user });
    await waitFor(async () => (await notes()).length === 2, 3000, 'pushpin note');
    expect(await notes()).toHaveLength(2);
  });

  it('the Done button completes the action, re-checked against the channel incident', async () => {
    const inc = await incidentByNumber(h, 1);
    const action = await h.tdb.db.selectFrom('incident_actions').selectAll().where('incident_id', '=', inc.id).executeTakeFirstOrThrow();
    const press = (channel: string, user = ADMIN) =>
      h.interact({ type: 'block_actions', team: { id: TEAM, domain: 'acme' }, user: { id: user, username: 'x', team_id: TEAM }, api_app_id: 'A0APP0001', trigger_id: `7.${Math.random()}.done`, channel: { id: channel, name: 'x' }, container: { type: 'message', channel_id: channel }, message: { ts: '1.1', type: 'message' }, response_url: h.slack.responseUrl(), actions: [{ action_id: 'action_done', block_id: 'b', value: action.action_id, type: 'button', action_ts: '1.2' }] });
    // Pressed in another incident's channel: the forged value does not reach this incident.
    const other = await incidentByNumber(h, 2);
    await press(other.channel_id!);
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.tdb.db.selectFrom('incident_actions').select('done').where('action_id', '=', action.action_id).executeTakeFirstOrThrow()).done).toBe(0);
    await press(inc.channel_id!);
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.tdb.db.selectFrom('incident_actions').select('done').where('action_id', '=', action.action_id).executeTakeFirstOrThrow()).done).toBe(1);
  });

  it('projections rebuild reproduces the live read models', async () => {
    await h.settle();
    const read = async () => ({
      incidents: await h.tdb.db.selectFrom('incidents').selectAll().orderBy('id').execute(),
      timeline: await h.tdb.db.selectFrom('incident_timeline').selectAll().orderBy('incident_id').orderBy('seq').execute(),
      actions: await h.tdb.db.selectFrom('incident_actions').selectAll().orderBy('action_id').execute(),
    });
    const live = await read();
    await rebuildProjections(h.tdb.db);
    expect(await read()).toEqual(live);
  });

  it('exposes health, readiness and metrics', async () => {
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${h.app.url}/readyz`)).json()).toMatchObject({ ok: true });
    expect(await (await fetch(`${h.app.url}/metrics`)).text()).toMatch(/revenant_incident_events_total\{type="INCIDENT_CREATED"\}/);
    expect(SIGNING_SECRET).toBeTruthy();
  });
});
