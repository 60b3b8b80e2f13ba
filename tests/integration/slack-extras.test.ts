import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Harness, startHarness, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { subcommands } from '../../src/adapters/slack/subcommands';

describe.each(dialects())('announcements and App Home (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect, { ANNOUNCE_CHANNEL: 'incidents' });
    h.slack.addChannel({ name: 'incidents' });
  });
  afterAll(async () => h?.close());

  it('announces a new incident, its updates and its resolution in ANNOUNCE_CHANNEL, linking the channel', async () => {
    await h.command('declare sev1 Database primary down');
    await h.settle();
    const inc = await h.tdb.db.selectFrom('incidents').selectAll().where('number', '=', 1).executeTakeFirstOrThrow();
    await h.command('update Failing over to the replica', { channel: inc.channel_id! });
    await h.command('status resolved Failover done', { channel: inc.channel_id! });
    await h.settle();
    const announce = h.slack.findChannelByName('incidents')!;
    const texts = h.slack.messages(announce.id).map((m) => m.text);
    expect(texts).toEqual([
      `:rotating_light: INC-1 declared (SEV1): Database primary down in <#${inc.channel_id}>`,
      `:loudspeaker: INC-1 update: Failing over to the replica in <#${inc.channel_id}>`,
      `INC-1 is now resolved: Database primary down in <#${inc.channel_id}>`,
    ]);
  });

  it('publishes the App Home with open incidents when the tab is opened', async () => {
    await h.command('declare sev3 Slow search');
    await h.settle();
    await h.event({ type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home' });
    const home = await waitFor(() => h.slack.homeTab(ADMIN), 3000, 'home tab');
    const text = JSON.stringify(home);
    expect(text).toContain('Slow search');
    expect(text).not.toContain('Database primary down'); // resolved: not open
  });

  it('acks before Slack\'s deadline even when the answer is slow, then answers through response_url', async () => {
    // A subcommand registered the way features register theirs, slower than the ack guard.
    subcommands.push({ name: 'slowpoke', usage: '`slowpoke`', minRole: 'viewer', run: async () => { await new Promise((r) => setTimeout(r, 2600)); return { text: 'finally done' }; } });
    try {
      const r = await h.command('slowpoke');
      expect(r.status).toBe(200);
      expect(r.body.text).toMatch(/Working on `slowpoke`/);
      const answered = await waitFor(() => h.slack.responses.find((x) => JSON.stringify(x.body).includes('finally done')), 5000, 'late answer');
      expect(answered).toBeTruthy();
    } finally {
      subcommands.splice(subcommands.findIndex((s) => s.name === 'slowpoke'), 1);
    }
  });
});
