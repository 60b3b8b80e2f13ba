import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNameCandidates } from '../../src/adapters/slack/delivery/channel-create.delivery';
import { ADMIN, type Harness, startHarness, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * Issue 20, "silent partial failure": when the channel name cannot be had, the incident must still get a
 * channel under another name; when Slack refuses every channel, the people involved are told and App Home
 * shows why, instead of only a log line knowing.
 */
describe.each(dialects())('incident channel when names or channels are refused (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  const incident = (n: number) =>
    h.tdb.db.selectFrom('incidents').selectAll().where('number', '=', n).executeTakeFirstOrThrow();
  const openChannelRow = (id: string) =>
    h.tdb.db
      .selectFrom('outbox')
      .selectAll()
      .where('incident_id', '=', id)
      .where('kind', '=', 'incident.open_channel')
      .executeTakeFirstOrThrow();

  it('falls back to inc-<n> when every titled name is taken by someone else', async () => {
    const inc1 = 'inc-1-database-primary-down';
    // Someone else's channels hold the titled name and all ten numbered variants.
    for (const name of [inc1, ...Array.from({ length: 9 }, (_, i) => `${inc1}-${i + 2}`)])
      h.slack.addChannel({ name, creator: 'U0003' });
    expect(h.slack.findChannelByName(inc1)?.creator).toBe('U0003');
    await h.command('declare sev2 Database primary down');
    await h.settle();
    const inc = await incident(1);
    expect(inc.channel_name).toBe('inc-1');
    expect(h.slack.findChannelByName('inc-1')?.id).toBe(inc.channel_id);
    expect(inc.summary_ts).toBeTruthy();
    const row = await openChannelRow(inc.id);
    console.log(
      JSON.stringify({
        reliability: 'channel-name-fallback',
        dialect,
        taken: 10,
        channel: inc.channel_name,
        outbox: row.status,
      }),
    );
    expect(row.status).toBe('done');
  });

  it('tries a name with a code of the incident when inc-<n> is taken too', async () => {
    for (const name of [...channelNameCandidates('inc', 2, 'Cache cold', 'x').slice(0, 10), 'inc-2'])
      h.slack.addChannel({ name, creator: 'U0003' });
    await h.command('declare sev3 Cache cold');
    await h.settle();
    const inc = await incident(2);
    expect(inc.channel_name).toMatch(/^inc-2-[0-9a-f]{6}$/);
    expect(inc.channel_name).toBe(channelNameCandidates('inc', 2, 'Cache cold', inc.id).at(-1));
    expect(h.slack.findChannelByName(inc.channel_name!)?.id).toBe(inc.channel_id);
  });

  it('when Slack refuses to create any channel, tells the declarer and shows it in App Home', async () => {
    // A refusal no name gets past: one is enough, the delivery stops trying names at the first.
    h.slack.failNext('conversations.create', 'restricted_action');
    const dmsBefore = h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === ADMIN).length;
    await h.command('declare sev1 Payments API down');
    await h.settle();
    const inc = await incident(3);
    expect(inc.channel_id).toBeNull();
    const row = await openChannelRow(inc.id);
    expect(row).toMatchObject({ status: 'failed' });
    expect(row.last_error).toMatch(/^restricted_action/);

    // The declarer hears it directly, with the reason.
    const dms = h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === ADMIN && c.status === 200);
    expect(dms.length).toBe(dmsBefore + 1);
    expect(String(dms.at(-1)!.params.text)).toMatch(
      /INC-3 .*could not open its channel: this workspace does not let the app create channels \(`restricted_action`/,
    );

    // App Home says so next to the incident.
    await h.event({ type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home' });
    const home = await waitFor(
      () => {
        const v = h.slack.homeTab(ADMIN);
        return v && JSON.stringify(v).includes('Payments API down') ? v : undefined;
      },
      3000,
      'home tab',
    );
    const text = JSON.stringify(home);
    expect(text).toMatch(
      /INC-3\*[^"]*Payments API down[^"]*no channel: this workspace does not let the app create channels/,
    );
    console.log(
      JSON.stringify({ reliability: 'channel-refused', dialect, told: 1, home: 'no channel: restricted_action' }),
    );
  });

  it('a later successful opening clears the recorded problem', async () => {
    const inc = await incident(3);
    const problems = () =>
      h.tdb.db.selectFrom('incident_channel_problems').selectAll().where('incident_id', '=', inc.id).execute();
    expect(await problems()).toHaveLength(1);
    // An operator re-queues the failed opening once the workspace allows channels again.
    await h.tdb.db
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(0).toISOString() })
      .where('incident_id', '=', inc.id)
      .where('kind', '=', 'incident.open_channel')
      .execute();
    h.app.worker.kick();
    await h.settle();
    const opened = await incident(3);
    expect(opened.channel_id).toBeTruthy();
    expect(h.slack.findChannelByName('inc-3-payments-api-down')?.id).toBe(opened.channel_id);
    expect(await problems()).toHaveLength(0);
  });
});
