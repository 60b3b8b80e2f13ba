import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { createApiToken } from '../../src/app/api-tokens.service';
import { blockActionsPayload, viewSubmissionPayload } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';
import { apiClient } from './api-client';

/** The "Correct a time…" button under `/incident timeline` and its form, the API's correction, 📌 on a thread reply. */
describe.each(dialects())('timeline: correcting times, pinning thread replies (%s)', (dialect) => {
  let h: Harness;
  let inc: { id: string; channel_id: string | null; number: number };
  const corrections = () =>
    h.tdb.db
      .selectFrom('incident_events')
      .select('payload')
      .where('incident_id', '=', inc.id)
      .where('type', '=', 'TIMELINE_TIME_CORRECTED')
      .execute();

  beforeAll(async () => {
    h = await startHarness(dialect);
    await h.command('declare sev3 Queue backlog', { user: 'U0002' });
    await h.settle();
    inc = await h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).executeTakeFirstOrThrow();
    await h.command('note consumers restarted at 08:05', { channel: inc.channel_id!, user: 'U0002' });
    await h.settle();
  }, 60_000);
  afterAll(async () => h?.close());

  const submit = (user: string, values: Record<string, unknown>, metadata = JSON.stringify({ incidentId: inc.id })) =>
    h.interact(
      viewSubmissionPayload({
        teamId: TEAM,
        userId: user,
        viewId: `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
        callbackId: 'timeline_time_modal',
        privateMetadata: metadata,
        values: values as never,
      }),
    );
  const entry = (seq: string) => ({
    timeline_entry: { timeline_entry: { type: 'static_select', selected_option: { value: seq } } },
  });
  const time = (v: string) => ({ timeline_time: { timeline_time: { type: 'plain_text_input', value: v } } });

  it('the button opens a form listing the entries; its submission records the correction', async () => {
    const tl = await h.command('timeline', { channel: inc.channel_id! });
    expect(JSON.stringify(tl.body.blocks)).toContain('timeline_correct_time');
    const press = blockActionsPayload({
      teamId: TEAM,
      userId: 'U0002',
      triggerId: h.slack.issueTrigger('U0002'),
      channel: { id: inc.channel_id! },
      message: { ts: '1.1', type: 'message' },
      responseUrl: h.slack.responseUrl(),
      actions: [{ actionId: 'timeline_correct_time', blockId: 'timeline_correct_time', value: 'forged-incident-id' }],
    });
    expect((await h.interact(press)).status).toBe(200);
    await waitFor(async () => h.slack.callsTo('views.open').length === 1, 10_000, 'form opened');
    const view = h.slack.callsTo('views.open')[0].params.view;
    const parsed = (typeof view === 'string' ? JSON.parse(view) : view) as {
      private_metadata: string;
      blocks: { element?: { options?: { value: string }[] } }[];
    };
    expect(JSON.parse(parsed.private_metadata).incidentId).toBe(inc.id); // the channel's incident, not the button value
    const seqs = parsed.blocks[0].element!.options!.map((o) => o.value);
    expect(seqs).toContain('1');
    const note = (
      await h.tdb.db
        .selectFrom('incident_events')
        .select('seq')
        .where('incident_id', '=', inc.id)
        .where('type', '=', 'NOTE_ADDED')
        .executeTakeFirstOrThrow()
    ).seq;
    const res = await submit('U0002', { ...entry(String(note)), ...time('00:02') });
    expect(res.status).toBe(200);
    expect(res.body).toBeFalsy(); // closed: no errors
    const rows = await corrections();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].payload)).toMatchObject({ entrySeq: Number(note) });
  }, 60_000);

  it('bad input and people who may not are answered in the form, writing nothing', async () => {
    const empty = await submit('U0002', {});
    expect(empty.body).toMatchObject({
      response_action: 'errors',
      errors: { timeline_entry: expect.any(String), timeline_time: expect.any(String) },
    });
    const badTime = await submit('U0002', { ...entry('1'), ...time('nope') });
    expect(badTime.body.errors.timeline_time).toMatch(/not a time/);
    const stranger = await submit('U0004', { ...entry('1'), ...time('00:03') });
    expect(stranger.body.errors.timeline_time).toMatch(/author, the incident commander or an admin/);
    const forged = await submit('U0002', { ...entry('1'), ...time('00:03') }, 'not json');
    expect(forged.body.errors.timeline_time).toMatch(/not one of ours/);
    expect(await corrections()).toHaveLength(1);
  }, 60_000);

  it('POST …/timeline/{seq}/time: an admin token corrects; a responder token is refused; bad input is 400/404', async () => {
    const api = await apiClient(h.app.url);
    const mint = async (role: string, name: string) =>
      (await createApiToken(h.tdb.db, { orgId: TEAM, role, name, createdBy: 'test', now: new Date() })).secret;
    const [admin, responder] = [await mint('admin', 'tl-admin'), await mint('responder', 'tl-responder')];
    const url = `/api/v1/orgs/${TEAM}/incidents/${inc.id}/timeline`;
    const ok = await api.call('POST', `${url}/1/time`, { token: admin, body: { time: '00:00' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ seq: 1 });
    expect(ok.body.to).toMatch(/T00:00:00\.000Z$/);
    expect((await api.call('POST', `${url}/1/time`, { token: responder, body: { time: '00:01' } })).status).toBe(403);
    expect((await api.call('POST', `${url}/1/time`, { token: admin, body: {} })).status).toBe(400);
    expect((await api.call('POST', `${url}/99/time`, { token: admin, body: { time: '00:01' } })).status).toBe(404);
    expect((await api.call('POST', `${url}/1/time`, { token: admin, body: { time: 'soonish' } })).status).toBe(422);
    expect(await corrections()).toHaveLength(2);
    const tl = await api.call('GET', url, { token: responder });
    expect(tl.body.items[0]).toMatchObject({ seq: 1, correctedAt: ok.body.to, at: ok.body.to });
  }, 60_000);

  it('📌 on a reply in another thread (not the summary’s) adds it, and its edit follows', async () => {
    const c = h.slack.channel(inc.channel_id!)!;
    const say = (text: string, thread_ts?: string) =>
      h.slack.state.appendMessage(c, {
        type: 'message',
        ts: h.slack.state.nextTs(),
        user: 'U0003',
        team: TEAM,
        text,
        ...(thread_ts ? { thread_ts } : {}),
      });
    const parent = say('which consumer group lags?');
    const reply = say('group billing-7, since 08:01', parent.ts);
    const pin = {
      type: 'reaction_added',
      user: 'U0002',
      reaction: 'pushpin',
      item: { type: 'message', channel: c.id, ts: reply.ts },
      item_user: 'U0003',
    };
    await h.event(pin);
    const notes = () =>
      h.tdb.db
        .selectFrom('incident_timeline')
        .select(['seq', 'text'])
        .where('incident_id', '=', inc.id)
        .where('type', '=', 'NOTE_ADDED')
        .execute();
    await waitFor(async () => (await notes()).some((n) => n.text.includes('billing-7')), 10_000, 'pinned thread reply');
    const edited = {
      type: 'message',
      subtype: 'message_changed',
      channel: c.id,
      message: {
        type: 'message',
        user: 'U0003',
        ts: reply.ts,
        thread_ts: parent.ts,
        text: 'group billing-7, since 07:58',
      },
    };
    await h.event(edited, { eventId: 'EvThreadEdit' });
    await waitFor(async () => (await notes()).some((n) => n.text.includes('07:58')), 10_000, 'thread reply edit');
  }, 60_000);
});
