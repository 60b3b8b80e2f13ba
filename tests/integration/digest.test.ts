import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import cron from 'node-cron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/adapters/db/create-db';
import { createLogger } from '../../src/adapters/logger';
import { EFFECT_METADATA_TYPE } from '../../src/adapters/slack/ids';
import { type Running, startRevenant } from '../../src/server';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { blockActionsPayload, viewSubmissionPayload } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Monday 3 March 2025; the schedule is 09:00 Europe/Berlin on weekdays = 08:00 UTC in winter.
const SLOT = Date.parse('2025-03-03T08:00:00Z');
const at = (minutes: number, seconds = 0) => new Date(SLOT + minutes * 60_000 + seconds * 1000);
const DAY = 24 * 60;

type Row = { service: string; environment?: string; status?: string; risk?: number; title?: string; logs?: unknown[]; detected?: string; org?: string; incidentId?: string | null };

async function watch(h: Harness, rows: Row[]) {
  const values = rows.map((r) => ({
    org_id: r.org ?? TEAM,
    service: r.service,
    environment: r.environment ?? 'production',
    status: r.status ?? 'AT_RISK',
    risk_score: r.risk ?? 0.5,
    source: 'alertmanager',
    title: r.title ?? `${r.service} error rate high`,
    logs: JSON.stringify(r.logs ?? []),
    correlation_key: null,
    incident_id: r.incidentId ?? null,
    firing_count: 1,
    first_detected_at: r.detected ?? '2025-03-03T06:00:00.000Z',
    last_updated_at: '2025-03-03T07:30:00.000Z',
    cleared_at: null,
    cleared_by: null,
  }));
  for (let i = 0; i < values.length; i += 100) await h.tdb.db.insertInto('watchlist').values(values.slice(i, i + 100)).execute();
}

const digestPosts = (h: Harness, channel: string, slot?: string) =>
  h.slack.messages(channel).filter((m) => {
    const id = (m.metadata as { event_type?: string; event_payload?: { effect_id?: string } } | undefined)?.event_payload?.effect_id ?? '';
    return m.metadata?.event_type === EFFECT_METADATA_TYPE && id.startsWith('digest:') && (slot ? id.endsWith(slot) : !id.includes(':manual:'));
  });
const manualPosts = (h: Harness, channel: string) =>
  h.slack.messages(channel).filter((m) => String((m.metadata as { event_payload?: { effect_id?: string } } | undefined)?.event_payload?.effect_id ?? '').includes(':manual:'));

describe.each(dialects())('watchlist digest (%s)', (dialect) => {
  let h: Harness;
  let clock = at(-60);
  let channel = '';
  const logger = createLogger('silent');

  beforeAll(async () => {
    h = await startHarness(dialect, { DIGEST_CHANNEL: 'sre-watch', DIGEST_CRON: '0 9 * * 1-5', DIGEST_TIMEZONE: 'Europe/Berlin' }, { now: () => clock, startScheduler: false });
    channel = h.slack.addChannel({ name: 'sre-watch' }).id;
    await watch(h, [
      { service: 'search', risk: 0.9, title: 'Search latency p99 900 ms' },
      { service: 'checkout', status: 'BREACHED', risk: 0.8, detected: '2025-03-03T06:55:00.000Z', logs: [{ level: 'error', message: 'payment gateway timeout after 30s', timestamp: '2025-03-03T06:54:10.000Z' }] },
      { service: 'payments', status: 'BREACHED', risk: 0.97 },
      { service: 'auth', environment: 'staging', risk: 0.2 },
      { service: 'old', status: 'CLEARED', risk: 0 },
      // A workspace only seen in the data (no settings, not ours): never gets the default digest.
      { service: 'elsewhere', org: 'T0STRAY', status: 'BREACHED' },
    ]);
  });
  afterAll(async () => h?.close());

  it('uses the DIGEST_* defaults until an admin sets its own; refuses changes from a non-admin or with a bad schedule', async () => {
    expect((await h.command('digest', { user: 'U0002' })).body.text).toMatch(/Channel: #sre-watch \(default\)[\s\S]*`0 9 \* \* 1-5` in Europe\/Berlin \(default\)/);
    // DIGEST_CHANNEL by name: posted there, and the post is found by id on a retry.
    expect((await h.command('digest now', { triggerId: '1.1.first' })).body.text).toMatch(/Posting the digest to #sre-watch/);
    await h.settle();
    expect(manualPosts(h, channel)).toHaveLength(1);
    expect((await h.command(`digest <#${channel}|sre-watch>`)).body.text).toMatch(/Saved[\s\S]*Channel: <#C\w+>\n/);
    expect((await h.command('digest', { user: 'U0002' })).body.text).toMatch(new RegExp(`<#${channel}>[\\s\\S]*\`0 9 \\* \\* 1-5\` in Europe/Berlin`));
    expect((await h.command(`digest <#${channel}|sre-watch> 0 8 * * *`, { user: 'U0002' })).body.text).toMatch(/Only an admin/);
    expect((await h.command(`digest <#${channel}|sre-watch> 0 25 * * *`)).body.text).toMatch(/not a valid cron/);
    expect((await h.command('digest #sre-watch')).body.text).toMatch(/not a channel/);
    expect((await h.command('digest tz Mars/Olympus')).body.text).toMatch(/not a time zone/);
    const s = await h.tdb.db.selectFrom('digest_settings').selectAll().where('org_id', '=', TEAM).executeTakeFirstOrThrow();
    expect(s).toMatchObject({ channel, cron: null, timezone: null, updated_by: ADMIN });
  });

  it('posts at the scheduled minute, once, breached first then at risk, times in the digest zone', async () => {
    clock = at(-1, 30);
    expect((await h.app.scheduler.tick(clock)).digests).toEqual([]);
    clock = at(0, 5);
    expect((await h.app.scheduler.tick(clock)).digests).toEqual([TEAM]);
    clock = at(0, 50);
    expect((await h.app.scheduler.tick(clock)).digests).toEqual([]); // same minute: already claimed
    await h.settle();
    const posts = digestPosts(h, channel);
    expect(posts).toHaveLength(1);
    const blocks = posts[0].blocks as Array<Record<string, any>>;
    const order = blocks.filter((b) => b.type === 'section').map((b) => /\*([\w-]+)\*/.exec(b.text.text)?.[1]);
    expect(order).toEqual(['payments', 'checkout', 'search', 'auth']);
    const checkout = blocks.find((b) => b.type === 'section' && b.text.text.includes('*checkout*'))!.text.text as string;
    expect(checkout).toContain('since Mon 3 Mar, 07:55 CET (1 h 5 min ago)');
    expect(checkout).toContain('07:54:10 ERROR payment gateway timeout');
    expect(posts[0].text).toBe('Watchlist digest: 2 breached, 2 at risk');
  });

  it('two processes on one database post each scheduled digest once; a restart inside the minute does not re-post; a missed tick is not replayed', async () => {
    const second = async (): Promise<Running> => startRevenant(h.config, { db: createDb(h.tdb.target, { poolMax: 3 }), now: () => clock, startScheduler: false, workerPollMs: 20, logger });
    let b = await second();
    try {
      const tuesday = at(DAY, 1);
      clock = tuesday;
      const [ra, rb] = await Promise.all([h.app.scheduler.tick(tuesday), b.scheduler.tick(tuesday)]);
      expect([...ra.digests, ...rb.digests]).toEqual([TEAM]);
      // Both workers deliver from the same outbox.
      await h.settle();
      const slot = new Date(SLOT + DAY * 60_000).toISOString();
      expect(digestPosts(h, channel, slot)).toHaveLength(1);

      // Process b restarts 40 s later, still inside the scheduled minute.
      const deps = b.deps;
      await b.stop();
      await deps.db.destroy();
      b = await second();
      clock = at(DAY, 41);
      expect((await b.scheduler.tick(clock)).digests).toEqual([]);
      expect((await h.app.scheduler.tick(clock)).digests).toEqual([]);
      await h.settle();
      expect(digestPosts(h, channel, slot)).toHaveLength(1);

      // Wednesday: both bots were down at 09:00 Berlin and come back at 12:00; nothing is caught up.
      for (const m of [DAY * 2 + 240, DAY * 2 + 241]) {
        clock = at(m);
        expect((await b.scheduler.tick(clock)).digests).toEqual([]);
      }
      await h.settle();
      expect(digestPosts(h, channel)).toHaveLength(2);
      const claims = await h.tdb.db.selectFrom('schedule_leases').select(['slot', 'claimed_by']).where('kind', '=', 'digest').where('org_id', '=', TEAM).orderBy('slot').execute();
      expect(claims.map((c) => c.slot).filter((x) => !x.startsWith('manual:'))).toEqual([new Date(SLOT).toISOString(), slot]);
    } finally {
      const deps = b.deps;
      await b.stop();
      await deps.db.destroy();
    }
  });

  it('a started app ticks through one named node-cron task, removed again on stop', async () => {
    const c = await startRevenant(h.config, { db: createDb(h.tdb.target, { poolMax: 2 }), now: () => clock, workerPollMs: 20, logger });
    const mine = () => [...cron.getTasks().values()].filter((t) => t.name === `revenant-scheduler:${c.scheduler.id}`);
    expect(mine()).toHaveLength(1);
    expect(mine()[0].getPattern()).toBe('* * * * *');
    const deps = c.deps;
    await c.stop();
    await deps.db.destroy();
    expect(mine()).toHaveLength(0);
  });

  it('keeps to 50 blocks with 500 entries and says how many more', async () => {
    const org = 'T0500';
    await h.command(`digest <#${channel}|sre-watch> 30 7 * * * UTC`, { team: org });
    await watch(h, Array.from({ length: 500 }, (_, i) => ({ org, service: `svc-${String(i).padStart(3, '0')}`, status: i % 10 === 0 ? 'BREACHED' : 'AT_RISK', risk: (i % 89) / 100, logs: [{ level: 'warn', message: `line ${i} `.repeat(80), timestamp: '2025-03-03T07:00:00.000Z' }] })));
    clock = at(DAY * 3 - 30);
    expect((await h.app.scheduler.tick(clock)).digests).toEqual([org]);
    await h.settle();
    const post = digestPosts(h, channel, clock.toISOString()).at(-1)!;
    expect(post).toBeDefined(); // the Slack fake enforces Block Kit's limits: an oversized message would have been refused
    const blocks = post.blocks as Array<Record<string, any>>;
    expect(blocks.length).toBeLessThanOrEqual(50);
    const shown = blocks.filter((b) => b.type === 'section').length;
    expect(shown).toBeGreaterThan(10);
    expect(JSON.stringify(blocks)).toContain(`…and *${500 - shown} more* not shown`);
    expect(post.text).toBe('Watchlist digest: 50 breached, 450 at risk');
  });

  it('/incident watchlist shows the digest; Declare opens a pre-filled form whose submission opens an incident', async () => {
    const r = await h.command('watchlist', { user: 'U0002' });
    const blocks = r.body.blocks as Array<Record<string, any>>;
    expect(r.body.text).toBe('Watchlist: 2 breached, 2 at risk');
    const checkoutIdx = blocks.findIndex((b) => b.type === 'section' && b.text.text.includes('*checkout*'));
    const buttons = blocks[checkoutIdx + 1];
    const declare = buttons.elements.find((e: any) => e.action_id.startsWith('watch_declare'));
    const triggerId = '4242.1.declare';
    await h.interact(blockActionsPayload({ teamId: TEAM, userId: 'U0002', triggerId, channel: { id: 'CGENERAL' }, responseUrl: h.slack.responseUrl(), actions: [{ actionId: declare.action_id, blockId: buttons.block_id, value: declare.value }] }));
    const opened = await waitFor(() => h.slack.callsTo('views.open').find((c) => c.params.trigger_id === triggerId), 3000, 'views.open');
    const view = (typeof opened.params.view === 'string' ? JSON.parse(opened.params.view) : opened.params.view) as { callback_id: string; private_metadata: string; blocks: Array<Record<string, any>> };
    expect(view.callback_id).toBe('declare_incident_modal');
    const input = (id: string) => view.blocks.find((b) => b.block_id === id)!.element;
    expect(input('title').initial_value).toBe('checkout error rate high');
    expect(input('severity').initial_option.value).toBe('SEV2');
    expect(input('service').initial_value).toBe('checkout');
    expect(input('description').initial_value).toContain('payment gateway timeout after 30s');

    const before = await h.tdb.db.selectFrom('incidents').select('number').execute();
    const sub = await h.interact(
      viewSubmissionPayload({
        teamId: TEAM,
        userId: 'U0002',
        viewId: 'V0DECLARE1',
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        values: {
          title: { title: { type: 'plain_text_input', value: input('title').initial_value } },
          severity: { severity: { type: 'static_select', selected_option: { value: input('severity').initial_option.value } } },
          service: { service: { type: 'plain_text_input', value: input('service').initial_value } },
          description: { description: { type: 'plain_text_input', value: input('description').initial_value } },
        },
      }),
    );
    expect(sub.status).toBe(200);
    const inc = await h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).orderBy('number', 'desc').executeTakeFirstOrThrow();
    expect(before.length + 1).toBe((await h.tdb.db.selectFrom('incidents').select('number').execute()).length);
    expect(inc).toMatchObject({ title: 'checkout error rate high', severity: 'SEV2', service: 'checkout', created_by: 'U0002' });
    await h.settle();
    const linked = await h.tdb.db.selectFrom('incidents').selectAll().where('id', '=', inc.id).executeTakeFirstOrThrow();
    expect(linked.channel_id).toBeTruthy();
    // The digest now links the entry to that open incident and offers its channel instead of Declare.
    const again = (await h.command('watchlist')).body.blocks as Array<Record<string, any>>;
    const i = again.findIndex((b) => b.type === 'section' && b.text.text.includes('*checkout*'));
    expect(again[i].text.text).toContain(`INC-${inc.number} (open) <#${linked.channel_id}>`);
    expect(again[i + 1].elements.map((e: any) => e.action_id.split(':')[0])).toEqual(['watch_clear', 'watch_open_channel']);
  });

  it('Clear is refused for a responder and works for an SRE lead, with history', async () => {
    const r = await h.command('watchlist');
    const blocks = r.body.blocks as Array<Record<string, any>>;
    const idx = blocks.findIndex((b) => b.type === 'section' && b.text.text.includes('*search*'));
    const clear = blocks[idx + 1].elements.find((e: any) => e.action_id.startsWith('watch_clear'));
    const press = (user: string) => {
      const url = h.slack.responseUrl(undefined, { teamId: TEAM, channelId: 'CGENERAL', userId: user });
      return h.interact(blockActionsPayload({ teamId: TEAM, userId: user, channel: { id: 'CGENERAL' }, responseUrl: url, actions: [{ actionId: clear.action_id, blockId: blocks[idx + 1].block_id, value: clear.value }] })).then(() => url.split('/').pop()!);
    };
    const entry = () => h.tdb.db.selectFrom('watchlist').selectAll().where('org_id', '=', TEAM).where('service', '=', 'search').executeTakeFirstOrThrow();
    const reply = (id: string) => waitFor(() => h.slack.responses.find((x) => x.id === id), 3000, 'response').then((x) => JSON.stringify(x.body));

    expect(await reply(await press('U0002'))).toMatch(/Only an admin or an SRE lead/);
    expect(await entry()).toMatchObject({ status: 'AT_RISK', cleared_by: null });

    await h.command('access grant <@U0003|carol> sre_lead');
    expect(await reply(await press('U0003'))).toMatch(/Cleared search \(production\)/);
    expect(await entry()).toMatchObject({ status: 'CLEARED', cleared_by: 'U0003' });
    const hist = await h.tdb.db.selectFrom('watchlist_history').selectAll().where('org_id', '=', TEAM).where('service', '=', 'search').execute();
    expect(hist).toMatchObject([{ status: 'CLEARED', reason: 'cleared_by_user', actor: 'U0003' }]);
    expect(await reply(await press('U0003'))).toMatch(/already clear/);
    expect((await h.command('watchlist')).body.text).toBe('Watchlist: 2 breached, 1 at risk');
  });

  it('`digest now` and `revenant digest --org` post right away through the outbox', async () => {
    const before = manualPosts(h, channel).length;
    const r = await h.command('digest now', { triggerId: '777.1.now' });
    await h.command('digest now', { triggerId: '777.1.now', retryNum: 1 }); // Slack's retry: one post
    expect(r.body.text).toMatch(/Posting the digest/);
    await h.settle();
    expect(manualPosts(h, channel)).toHaveLength(before + 1);

    const run = promisify(execFile);
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: h.tdb.url, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'x', SLACK_API_URL: h.slack.url, LOG_LEVEL: 'silent' };
    const out = await run(process.execPath, [path.join(ROOT, 'bin/revenant.js'), 'digest', '--org', TEAM], { cwd: ROOT, env, timeout: 60_000 });
    const line = JSON.parse(out.stdout.trim());
    expect(line).toMatchObject({ org: TEAM, channel, outcome: 'done' });
    expect(manualPosts(h, channel)).toHaveLength(before + 2);
    const row = await h.tdb.db.selectFrom('outbox').selectAll().where('id', '=', line.outbox_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'digest.post', status: 'done' });
  });

  it('an empty watchlist posts a short all-clear, or nothing when set to stay silent', async () => {
    const org = 'T0EMPTY';
    await h.command(`digest <#${channel}|sre-watch> 0 6 * * * UTC`, { team: org });
    clock = new Date('2025-03-10T06:00:00Z');
    expect((await h.app.scheduler.tick(clock)).digests).toContain(org);
    await h.settle();
    expect(digestPosts(h, channel, clock.toISOString()).at(-1)?.text).toMatch(/all clear/);
    await h.command('digest silent on', { team: org });
    clock = new Date('2025-03-11T06:00:00Z');
    expect((await h.app.scheduler.tick(clock)).digests).toContain(org);
    await h.settle();
    expect(digestPosts(h, channel, clock.toISOString())).toHaveLength(0);
  });
});
