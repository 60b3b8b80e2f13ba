import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/adapters/cron/scheduler';
import { createLogger } from '../../src/adapters/logger';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { blockActionsPayload, viewSubmissionPayload } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe.each(dialects())('status-update reminders, channel archiving and App Home (%s)', (dialect) => {
  let h: Harness;
  let clock = at(0);
  const byNumber = (n: number) => h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('number', '=', n).executeTakeFirstOrThrow();
  const reminders = (channel: string) => h.slack.messages(channel).filter((m) => JSON.stringify(m.blocks ?? '').includes('reminder_post_update') || /without a status update|snoozed by/.test(m.text ?? ''));
  const tick = async (minutes: number) => {
    clock = at(minutes);
    const r = await h.app.scheduler.tick(clock);
    await h.settle();
    return r;
  };
  const press = (channel: string, actionId: string, value: string, user = ADMIN, messageTs?: string) => {
    const triggerId = `${Math.floor(Math.random() * 1e9)}.1.press`;
    const responseUrl = h.slack.responseUrl(undefined, { teamId: TEAM, channelId: channel, userId: user, messageTs });
    return h.interact(blockActionsPayload({ teamId: TEAM, userId: user, triggerId, channel: { id: channel }, responseUrl, message: messageTs ? { ts: messageTs, type: 'message' } : undefined, actions: [{ actionId, blockId: 'reminder_actions', value }] })).then(() => triggerId);
  };

  beforeAll(async () => {
    h = await startHarness(dialect, { ARCHIVE_AFTER_HOURS: '1' }, { now: () => clock, startScheduler: false });
  });
  afterAll(async () => h?.close());

  it('reminds the commander once per interval until an update is posted; Post update and Snooze work', async () => {
    await h.command('declare sev1 Database primary down');
    await h.command('declare sev4 Typo on the status page');
    await h.settle();
    const inc = await byNumber(1);
    const low = await byNumber(2);
    const ch = inc.channel_id!;
    clock = at(1);
    await h.command('assign commander <@U0003|carol>', { channel: ch });
    await h.settle();

    expect((await tick(29)).reminders).toEqual([]);
    // Two schedulers (as in two processes) tick the same minute: one reminder.
    const other = createScheduler({ db: h.tdb.db, config: h.config, logger: createLogger('silent'), now: () => clock, kick: () => h.app.worker.kick() });
    clock = at(30);
    const [a, b] = await Promise.all([h.app.scheduler.tick(clock), other.tick(clock)]);
    expect([...a.reminders, ...b.reminders]).toEqual([inc.id]);
    await h.settle();
    expect(reminders(ch)).toHaveLength(1);
    const first = reminders(ch)[0];
    expect(first.text).toMatch(/<@U0003> INC-1 \(SEV1\) has gone 30 min without a status update/);
    expect(JSON.stringify(first.blocks)).toContain('Snooze 1 h');

    expect((await tick(31)).reminders).toEqual([]);
    expect((await tick(59)).reminders).toEqual([]);
    expect((await tick(60)).reminders).toEqual([inc.id]);
    expect(reminders(ch)).toHaveLength(2);

    // Post update: the button opens the form; its submission runs PostUpdate.
    clock = at(62);
    const trigger = await press(ch, 'reminder_post_update', inc.id);
    const opened = await waitFor(() => h.slack.callsTo('views.open').find((c) => c.params.trigger_id === trigger), 3000, 'views.open');
    const view = (typeof opened.params.view === 'string' ? JSON.parse(opened.params.view) : opened.params.view) as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('post_update_modal');
    const sub = await h.interact(viewSubmissionPayload({ teamId: TEAM, userId: 'U0003', viewId: 'V0UPD1', callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { update_text: { update_text: { type: 'plain_text_input', value: 'Failover to the replica done' } } } }));
    expect(sub.status).toBe(200);
    await h.settle();
    expect(await byNumber(1)).toMatchObject({ last_update_at: at(62).toISOString(), last_update_text: 'Failover to the replica done' });
    expect(h.slack.messages(ch).some((m) => /Update\* from <@U0003>: Failover/.test(m.text ?? ''))).toBe(true);

    // The clock restarts from the update.
    expect((await tick(90)).reminders).toEqual([]);
    expect((await tick(92)).reminders).toEqual([inc.id]);
    const third = reminders(ch).at(-1)!;

    // Snooze 1 h: nothing at the next interval, one reminder once the snooze is over.
    clock = at(93);
    await press(ch, 'reminder_snooze', inc.id, 'U0003', third.ts);
    await waitFor(async () => (await h.tdb.db.selectFrom('reminder_snoozes').selectAll().execute()).length === 1, 3000, 'snooze');
    expect((await h.tdb.db.selectFrom('reminder_snoozes').selectAll().executeTakeFirstOrThrow()).until).toBe(at(153).toISOString());
    await waitFor(() => h.slack.messages(ch).find((m) => m.ts === third.ts && /snoozed by <@U0003>/.test(m.text ?? '')), 3000, 'reminder replaced');
    expect((await tick(122)).reminders).toEqual([]);
    expect((await tick(152)).reminders).toEqual([]);
    expect((await tick(153)).reminders).toEqual([inc.id]);

    // A viewer cannot snooze; the SEV4 incident never gets a reminder.
    await h.command('access grant <@U0004|dave> viewer');
    const before = (await h.tdb.db.selectFrom('reminder_snoozes').selectAll().executeTakeFirstOrThrow()).until;
    await press(ch, 'reminder_snooze', inc.id, 'U0004');
    await new Promise((r) => setTimeout(r, 150));
    expect((await h.tdb.db.selectFrom('reminder_snoozes').selectAll().executeTakeFirstOrThrow()).until).toBe(before);
    expect((await tick(1000)).reminders).not.toContain(low.id);
    expect(reminders(low.channel_id!)).toHaveLength(0);
    // Posting an update stops them.
    clock = at(1001);
    await h.command('update Root cause found', { channel: ch });
    await h.settle();
    const count = reminders(ch).length;
    expect((await tick(1030)).reminders).toEqual([]);
    expect(reminders(ch)).toHaveLength(count);
  });

  it('archives a resolved incident channel after the grace period, with a notice first, and unarchives it on reopen', async () => {
    clock = at(2000);
    await h.command('declare sev3 Cache flapping');
    await h.settle();
    const inc = await byNumber(3);
    const ch = inc.channel_id!;
    clock = at(2005);
    await h.command('status resolved Evictions back to normal', { channel: ch });
    await h.settle();
    const notices = () => h.slack.messages(ch).filter((m) => /will be archived/.test(m.text ?? ''));

    expect((await tick(2005 + 29)).archives).toEqual([]);
    expect((await tick(2005 + 30)).archives).toEqual([`notice:${inc.id}`]);
    expect(notices()).toHaveLength(1);
    expect((await tick(2005 + 59)).archives).toEqual([]);
    expect(h.slack.channel(ch)!.is_archived).toBe(false);
    expect((await tick(2005 + 60)).archives).toEqual([`archive:${inc.id}`]);
    expect(h.slack.channel(ch)!.is_archived).toBe(true);
    expect((await tick(2005 + 90)).archives).toEqual([]);
    expect(h.slack.callsTo('conversations.archive')).toHaveLength(1);

    // Reopen: the channel is unarchived before the status message is posted to it.
    clock = at(2100);
    await h.command('status investigating It is back', { channel: ch });
    await h.settle();
    expect(h.slack.channel(ch)!.is_archived).toBe(false);
    expect(h.slack.callsTo('conversations.unarchive')).toHaveLength(1);
    expect(h.slack.messages(ch).some((m) => /resolved → \*investigating\*/.test(m.text ?? ''))).toBe(true);
    const failed = await h.tdb.db.selectFrom('outbox').select(['kind', 'last_error']).where('status', '=', 'failed').execute();
    expect(failed).toEqual([]);

    // Closed again: a new notice and archive for the new closing.
    clock = at(2110);
    await h.command('status resolved Really fixed', { channel: ch });
    await h.settle();
    expect((await tick(2110 + 30)).archives).toEqual([`notice:${inc.id}`]);
    expect(notices()).toHaveLength(2);
  });

  it('App Home shows open incidents by severity in the viewer’s time zone, the watchlist top and the viewer’s follow-ups', async () => {
    const inc = await byNumber(1);
    clock = at(1100);
    const r = await h.command('action Write the failover runbook <@U0002|bob>', { channel: inc.channel_id! });
    expect(r.body.text).toMatch(/owned by <@U0002>/);
    await h.command('action Unowned follow-up', { channel: inc.channel_id! });
    expect((await h.tdb.db.selectFrom('incident_actions').select(['text', 'owner']).where('incident_id', '=', inc.id).orderBy('created_at').execute()).map((a) => [a.text, a.owner])).toEqual([
      ['Write the failover runbook', 'U0002'],
      ['Unowned follow-up', null],
    ]);
    await h.tdb.db
      .insertInto('watchlist')
      .values({ org_id: TEAM, service: 'ledger', environment: 'production', status: 'BREACHED', risk_score: 0.91, source: 'grafana', title: 'Ledger write errors', logs: '[]', correlation_key: null, incident_id: null, firing_count: 2, first_detected_at: at(1050).toISOString(), last_updated_at: at(1090).toISOString(), cleared_at: null, cleared_by: null })
      .execute();
    clock = at(1120);
    // bob's Slack time zone is America/New_York.
    await h.event({ type: 'app_home_opened', user: 'U0002', channel: 'D0BOB', tab: 'home', event_ts: '1.1' });
    const home = await waitFor(() => h.slack.homeTab('U0002'), 3000, 'home tab');
    const text = JSON.stringify(home.view.blocks);
    expect(text).toContain('Open incidents by severity');
    const sev1 = (home.view.blocks as Array<Record<string, any>>).find((b) => b.block_id === 'home_by_sev_SEV1')!.text.text as string;
    // Declared 10:00 UTC = 05:00 in New York (EST), 18 h 40 min before 04:40 UTC the next day.
    expect(sev1).toContain('*INC-1* Database primary down');
    expect(sev1).toContain('18 h 40 min old (since Mon 3 Mar, 05:00 EST) · commander <@U0003>');
    expect(text).toContain('Times in America/New_York');
    expect(text).toContain('*ledger*');
    expect(text).toContain('Your open follow-ups');
    expect(text).toContain('Write the failover runbook — INC-1');
    expect(text).not.toContain('Unowned follow-up — INC-1');
    expect((home.view.blocks as unknown[]).length).toBeLessThanOrEqual(100);
  });
});
