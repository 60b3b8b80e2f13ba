import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { createApiToken } from '../../src/app/api-tokens.service';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { messageChanged, messageDeleted, messageEvent as slackMessage } from '../helpers/slack-message-events';
import { apiClient } from './api-client';

const T = { timeout: 60_000 };

describe.each(dialects())('the timeline keeps up with the channel (%s)', (dialect) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let token: string;
  let inc: { id: string; channel_id: string; summary_ts: string; number: number };
  const types = () =>
    h.tdb.db
      .selectFrom('incident_events')
      .select(['type', 'seq', 'payload'])
      .where('incident_id', '=', inc.id)
      .orderBy('seq')
      .execute();
  const row = (seq: number) =>
    h.tdb.db
      .selectFrom('incident_timeline')
      .selectAll()
      .where('incident_id', '=', inc.id)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
  const count = async (type: string) => (await types()).filter((e) => e.type === type).length;
  const messageEvent = (m: Parameters<typeof slackMessage>[1]) => slackMessage(inc.channel_id, m);
  /** A person's message as Slack stores it, so history/replies/pins read it back. */
  const post = (user: string, text: string, extra: Record<string, unknown> = {}) =>
    h.slack.state.appendMessage(h.slack.channel(inc.channel_id)!, {
      type: 'message',
      ts: h.slack.state.nextTs(),
      user,
      team: TEAM,
      text,
      ...extra,
    });

  beforeAll(async () => {
    h = await startHarness(dialect);
    api = await apiClient(h.app.url);
    token = (
      await createApiToken(h.tdb.db, {
        orgId: TEAM,
        role: 'viewer',
        name: 'reader',
        createdBy: 'test',
        now: new Date(),
      })
    ).secret;
    const r = await h.command('declare sev2 Search results are stale', { user: 'U0002' });
    expect(r.body.text).toMatch(/Declared/);
    await h.settle();
    inc = (await h.tdb.db
      .selectFrom('incidents')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('number', '=', 1)
      .executeTakeFirstOrThrow()) as never;
    expect(inc.summary_ts).toBeTruthy();
  }, 120_000);
  afterAll(async () => h?.close());

  it(
    'a reply in the pinned summary thread joins the timeline once, with author, time and files; retries change nothing',
    async () => {
      const file = {
        id: 'F1',
        name: 'p99.png',
        title: 'p99 latency',
        mimetype: 'image/png',
        permalink: 'https://acme.slack.test/files/U0003/F1/p99.png',
      };
      const m = post('U0003', 'Indexer lag started at 09:52 after the mapping change', {
        thread_ts: inc.summary_ts,
        files: [file],
      });
      const ev = messageEvent({ ...m, thread_ts: inc.summary_ts, files: [file] });
      expect((await h.event(ev, { eventId: 'EvReply1' })).status).toBe(200);
      await waitFor(async () => (await count('NOTE_ADDED')) === 1, 10_000, 'thread reply captured');
      expect((await h.event(ev, { eventId: 'EvReply1', retryNum: 1 })).status).toBe(200);
      expect((await h.event(ev, { eventId: 'EvReply1', retryNum: 2 })).status).toBe(200);
      // A reply elsewhere (not the summary thread) and a top-level message stay out.
      const other = post('U0003', 'unrelated top-level chatter');
      await h.event(messageEvent(other), { eventId: 'EvTop' });
      await new Promise((r) => setTimeout(r, 400));
      const notes = (await types()).filter((e) => e.type === 'NOTE_ADDED');
      expect(notes).toHaveLength(1);
      const payload = JSON.parse(notes[0].payload);
      expect(payload.source).toMatchObject({
        channelId: inc.channel_id,
        ts: m.ts,
        author: 'U0003',
        threadTs: inc.summary_ts,
        files: [{ name: 'p99 latency', permalink: file.permalink }],
      });
      const r = await row(notes[0].seq);
      expect(r.actor).toBe('U0003');
      expect(r.text).toContain('Indexer lag started');
      expect(JSON.parse(r.files!)).toEqual([{ name: 'p99 latency', permalink: file.permalink, mimetype: 'image/png' }]);
      // Not echoed into the channel: the reply is already in the thread people read.
      expect(h.slack.messages(inc.channel_id).some((x) => x.text.includes(':memo: Note by <@U0003>'))).toBe(false);
    },
    T.timeout,
  );

  it(
    'editing and deleting the captured message update the timeline once each; Slack retries change nothing',
    async () => {
      const note = (await types()).find((e) => e.type === 'NOTE_ADDED')!;
      const ts = JSON.parse(note.payload).source.ts as string;
      const changed = (text: string) =>
        messageChanged(inc.channel_id, { ts, user: 'U0003', text, thread_ts: inc.summary_ts });
      const edit = changed('Indexer lag started at 09:48 after the mapping change');
      await h.event(edit, { eventId: 'EvEdit1' });
      await waitFor(async () => (await count('NOTE_EDITED')) === 1, 10_000, 'edit synced');
      await h.event(edit, { eventId: 'EvEdit1', retryNum: 1 });
      // Slack also sends message_changed when a link unfurls: same text, nothing to record.
      await h.event(changed('Indexer lag started at 09:48 after the mapping change'), { eventId: 'EvUnfurl' });
      await new Promise((r) => setTimeout(r, 400));
      expect(await count('NOTE_EDITED')).toBe(1);
      let r = await row(note.seq);
      expect(r.text).toContain('09:48');
      expect(r.text).not.toContain('09:52');
      expect(r.edited_at).toBeTruthy();

      const deleted = messageDeleted(inc.channel_id, ts, 'U0003');
      await h.event(deleted, { eventId: 'EvDel1' });
      await waitFor(async () => (await count('NOTE_DELETED')) === 1, 10_000, 'delete synced');
      await h.event(deleted, { eventId: 'EvDel1', retryNum: 1 });
      await h.event(deleted, { eventId: 'EvDel2' }); // a second delivery under a new id: already deleted
      await h.event(edit, { eventId: 'EvEditAfterDelete' });
      await new Promise((r) => setTimeout(r, 400));
      expect(await count('NOTE_DELETED')).toBe(1);
      expect(await count('NOTE_EDITED')).toBe(1);
      r = await row(note.seq);
      expect(r.deleted_at).toBeTruthy();

      const tl = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${inc.id}/timeline`, { token });
      expect(tl.status).toBe(200);
      const item = tl.body.items.find((i: { seq: number }) => i.seq === note.seq);
      expect(item).toMatchObject({ deleted: true, text: '(message deleted in Slack)', files: [] });
      expect(item.editedAt).toBeTruthy();
      expect(tl.body.items.some((i: { type: string }) => i.type === 'NOTE_EDITED')).toBe(false);
      const withChanges = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${inc.id}/timeline?changes=true`, {
        token,
      });
      expect(withChanges.body.items.map((i: { type: string }) => i.type)).toEqual(
        expect.arrayContaining(['NOTE_EDITED', 'NOTE_DELETED']),
      );
      const events = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${inc.id}/events?limit=100`, { token });
      expect(events.body.items.filter((e: { type: string }) => e.type === 'NOTE_EDITED')[0].data).toMatchObject({
        entrySeq: note.seq,
      });
    },
    T.timeout,
  );

  it(
    '📌 keeps files as links; an edit of a pinned-in message is followed too',
    async () => {
      const file = {
        id: 'F2',
        name: 'dash.png',
        title: 'dashboard',
        mimetype: 'image/png',
        permalink: 'https://acme.slack.test/files/U0004/F2/dash.png',
      };
      const m = post('U0004', 'Rollback of mapping v42 is the plan', { files: [file] });
      await h.event({
        type: 'reaction_added',
        user: ADMIN,
        reaction: 'pushpin',
        item: { type: 'message', channel: inc.channel_id, ts: m.ts },
        item_user: 'U0004',
      });
      await waitFor(async () => (await count('NOTE_ADDED')) === 2, 10_000, 'pushpin note');
      const note = (await types()).filter((e) => e.type === 'NOTE_ADDED')[1];
      expect(JSON.parse(note.payload).source.files).toEqual([
        { name: 'dashboard', permalink: file.permalink, mimetype: 'image/png' },
      ]);
      expect((await row(note.seq)).text).toContain(`<${file.permalink}|dashboard>`);
      const done = { ts: m.ts, user: 'U0004', text: 'Rollback of mapping v42 is done', files: [file] };
      await h.event(messageChanged(inc.channel_id, done), { eventId: 'EvEditPin' });
      await waitFor(async () => (await row(note.seq)).text.includes('is done'), 10_000, 'pinned message edit');
      expect((await row(note.seq)).text).toContain(`<${file.permalink}|dashboard>`);
    },
    T.timeout,
  );

  it('an entry time is corrected by its author or the commander; others are refused; the postmortem orders by it', async () => {
    const note = (await types()).filter((e) => e.type === 'NOTE_ADDED')[1];
    const before = (await types()).length;
    // U0005 neither wrote nor captured it, and is not the commander.
    const refused = await h.command(`timeline edit ${note.seq} 00:05`, { channel: inc.channel_id, user: 'U0005' });
    expect(refused.body.text).toMatch(/author, the incident commander or an admin/);
    const bad = await h.command(`timeline edit ${note.seq} quarter past`, { channel: inc.channel_id, user: 'U0004' });
    expect(bad.body.text).toMatch(/is not a time/);
    const missing = await h.command('timeline edit 999 00:05', { channel: inc.channel_id, user: 'U0004' });
    expect(missing.body.text).toMatch(/no timeline entry #999/);
    expect((await types()).length).toBe(before);
    const day = (await row(1)).occurred_at.slice(0, 10);
    const ok = await h.command(`timeline edit ${note.seq} 00:01`, { channel: inc.channel_id, user: 'U0004' });
    expect(ok.body.text).toContain(`Entry #${note.seq} now reads ${day}T00:01:00.000Z`);
    const ev = (await types()).at(-1)!;
    expect(ev.type).toBe('TIMELINE_TIME_CORRECTED');
    expect(JSON.parse(ev.payload)).toMatchObject({ entrySeq: note.seq, to: `${day}T00:01:00.000Z` });
    expect((await row(note.seq)).corrected_at).toBe(`${day}T00:01:00.000Z`);
    // The commander may correct anyone's entry.
    await h.command('assign commander <@U0005|erin>', { channel: inc.channel_id });
    const byCommander = await h.command('timeline edit 1 00:00', { channel: inc.channel_id, user: 'U0005' });
    expect(byCommander.body.text).toContain('Entry #1 now reads');
    const tl = await h.command('timeline', { channel: inc.channel_id });
    const text = JSON.stringify(tl.body.blocks);
    expect(text).toContain(`#${note.seq} `);
    expect(text).toContain('time corrected');
    expect(text).toContain('timeline_correct_time');
    const api1 = await api.call('GET', `/api/v1/orgs/${TEAM}/incidents/${inc.id}/timeline`, { token });
    expect(api1.body.items.slice(0, 2).map((i: { seq: number }) => i.seq)).toEqual([1, note.seq]);
    await h.settle();
    const pm = await h.command('postmortem', { channel: inc.channel_id });
    expect(pm.status).toBe(200);
    await waitFor(
      async () =>
        !!(await h.tdb.db
          .selectFrom('postmortems')
          .select('markdown')
          .where('incident_id', '=', inc.id)
          .executeTakeFirst()),
      20_000,
      'postmortem drafted',
    );
    const md = (
      await h.tdb.db
        .selectFrom('postmortems')
        .select('markdown')
        .where('incident_id', '=', inc.id)
        .executeTakeFirstOrThrow()
    ).markdown;
    expect(md).toContain('Rollback of mapping v42 is done');
    expect(md).not.toContain('Indexer lag started'); // deleted in Slack
    // Corrected to 00:01, the note now comes before the channel opening (recorded later that day).
    expect(md.indexOf('Rollback of mapping v42 is done')).toBeLessThan(md.indexOf('Incident channel #'));
    expect(md.indexOf('Incident channel #')).toBeGreaterThan(0);
  }, 120_000);

  it(
    'thread capture can be turned off per workspace (admins only); rebuild reproduces the timeline',
    async () => {
      const refused = await h.command('settings thread-capture off', { user: 'U0003' });
      expect(refused.body.text).toMatch(/admin role/);
      const off = await h.command('settings thread-capture off');
      expect(off.body.text).toMatch(/Thread capture is off/);
      const notesBefore = await count('NOTE_ADDED');
      const m = post('U0003', 'a reply while capture is off', { thread_ts: inc.summary_ts });
      await h.event(messageEvent({ ...m, thread_ts: inc.summary_ts }), { eventId: 'EvOff' });
      await new Promise((r) => setTimeout(r, 400));
      expect(await count('NOTE_ADDED')).toBe(notesBefore);
      expect((await h.command('settings')).body.text).toMatch(/Thread capture is \*off\*/);
      expect((await h.command('settings thread-capture maybe')).body.text).toMatch(/`on` or `off`/);
      await h.command('settings thread-capture on');

      const live = await h.tdb.db
        .selectFrom('incident_timeline')
        .selectAll()
        .where('incident_id', '=', inc.id)
        .orderBy('seq')
        .execute();
      await rebuildProjections(h.tdb.db);
      const rebuilt = await h.tdb.db
        .selectFrom('incident_timeline')
        .selectAll()
        .where('incident_id', '=', inc.id)
        .orderBy('seq')
        .execute();
      expect(rebuilt).toEqual(live);
      expect(live.some((r) => r.deleted_at) && live.some((r) => r.edited_at) && live.some((r) => r.corrected_at)).toBe(
        true,
      );
    },
    T.timeout,
  );
});
