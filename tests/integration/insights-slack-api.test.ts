import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/adapters/db/create-db';
import { appendEvents } from '../../src/adapters/db/event-store';
import { createLogger } from '../../src/adapters/logger';
import { slotFilename } from '../../src/adapters/slack/insights/insights.delivery';
import { startRevenant } from '../../src/server';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { createApiToken } from '../../src/app/api-tokens.service';
import { ADMIN, type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { inkStats } from '../helpers/png';
import { dialects } from '../helpers/test-db';
import { NOW, fortyIncidents } from '../unit/insights/insights.fixture';

const M = 60_000;
const CH = 'CSREWEEKLY';

/**
 * The fixture's 40 incidents in a real database (appended to the log, read models rebuilt from it), the
 * bot's clock at the fixture's "now": the API and `/incident insights` report the hand-computed numbers.
 */
describe.each(dialects())('insights through the API and Slack (%s)', (dialect) => {
  let h: Harness;
  let token: string;
  const get = (path: string, t = token) => fetch(`${h.app.url}${path}`, { headers: { authorization: `Bearer ${t}` } });

  beforeAll(async () => {
    h = await startHarness(dialect, { INSIGHTS_CRON: '0 9 * * 1', INSIGHTS_CHANNEL: CH }, { now: () => NOW });
    const logs = fortyIncidents(TEAM);
    await h.tdb.db.transaction().execute(async (trx) => {
      for (const events of logs) await appendEvents(trx, events);
    });
    await rebuildProjections(h.tdb.db);
    token = (await createApiToken(h.tdb.db, { orgId: TEAM, role: 'viewer', name: 'dash', createdBy: 'test', now: NOW }))
      .secret;
    h.slack.addChannel({ id: CH, name: 'sre-weekly', members: [h.slack.defaultTeam.botUserId, ADMIN] });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('GET /insights?window=30d returns the hand-computed numbers', async () => {
    const res = await get(`/api/v1/orgs/${TEAM}/insights?window=30d`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.totals).toMatchObject({ declared: 38, cancelled: 2, incidents: 36, resolved: 26, open: 10 });
    expect(body.totals.mtta).toEqual({ count: 31, medianMs: 12 * M, p90Ms: 240 * M });
    expect(body.totals.mttr).toEqual({ count: 26, medianMs: 285 * M, p90Ms: 4000 * M });
    expect(body.sla).toMatchObject({ numerator: 10, denominator: 36 });
    expect(body.postmortems).toEqual({ numerator: 7, denominator: 20, rate: 0.35 });
    expect(body.rollbacks.count).toBe(2);
    const json = async (path: string) => (await (await get(path)).json()) as Record<string, any>;
    expect((await json(`/api/v1/orgs/${TEAM}/insights?window=90d`)).totals.declared).toBe(40);
    expect((await json(`/api/v1/orgs/${TEAM}/insights`)).window).toBe('30d');
  });

  it('a bad window is a 400 naming the choices; another org is a 404; no token is a 401', async () => {
    const bad = await get(`/api/v1/orgs/${TEAM}/insights?window=5d`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/window/);
    expect((await get(`/api/v1/orgs/T9999/insights`)).status).toBe(404);
    expect((await fetch(`${h.app.url}/api/v1/orgs/${TEAM}/insights`)).status).toBe(401);
  });

  it('/incident insights 30d uploads a PNG chart with the numbers (files.uploadV2 through the fake)', async () => {
    const before = h.slack.responses.length;
    const ack = await h.command('insights 30d', { channel: CH });
    expect(ack.status).toBe(200);
    const uploaded = () =>
      [...h.slack.defaultTeam.files.values()].filter((f) => f.completed && f.channels.includes(CH));
    const [file] = await waitFor(() => (uploaded().length ? uploaded() : undefined), 20_000, 'the PNG upload');
    expect(file.name).toBe('insights-30d-2026-12-02.png');
    const png = file.content!;
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const ink = inkStats(png);
    expect([ink.width, ink.height]).toEqual([720, 720]);
    // Bars, axes and text: far more than a blank canvas, and in several colours (one per severity at least).
    expect(ink.ink).toBeGreaterThan(20_000);
    expect(ink.colours).toBeGreaterThan(8);
    const message = h.slack.messages(CH).find((m) => m.files?.length);
    expect(message?.text).toContain('Incidents: 36 (10 open, 26 resolved, 2 cancelled)');
    expect(message?.text).toContain('SLA breach rate: 27.8 % (10/36)');
    expect(message?.text).toContain('MTTA: median 12 min, p90 4 h (n=31)');
    const reply = await waitFor(
      () =>
        h.slack.responses
          .slice(before)
          .find((r) => /Posted the insights/.test(String((r.body as { text?: string }).text))),
      10_000,
      'the confirmation',
    );
    expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
  });

  it('a bad window and a channel the bot is not in get clear answers and upload nothing', async () => {
    const before = h.slack.responses.length;
    await h.command('insights fortnight', { channel: CH });
    h.slack.addChannel({ id: 'CNOBOT', name: 'no-bot', members: [ADMIN] });
    await h.command('insights 7d', { channel: 'CNOBOT' });
    const texts = await waitFor(
      () => {
        const t = h.slack.responses.slice(before).map((r) => String((r.body as { text?: string }).text));
        return t.filter((x) => !/Working on/.test(x)).length >= 2 ? t : undefined;
      },
      15_000,
      'both answers',
    );
    expect(texts.join('\n')).toContain('“fortnight” is not a window; use 7d, 30d or 90d.');
    expect(texts.join('\n')).toContain('invite me with `/invite @Revenant`');
    expect([...h.slack.defaultTeam.files.values()].filter((f) => f.completed).length).toBe(
      [...h.slack.defaultTeam.files.values()].filter((f) => f.completed && f.channels.includes(CH)).length,
    );
  });

  it('the weekly post (INSIGHTS_CRON, INSIGHTS_CHANNEL) goes out once across two processes, only at its minute', async () => {
    const b = await startRevenant(h.config, {
      db: createDb(h.tdb.target, { poolMax: 3 }),
      now: () => NOW,
      startScheduler: false,
      workerPollMs: 20,
      logger: createLogger('silent'),
    });
    try {
      expect((await h.app.scheduler.tick(new Date('2026-11-30T08:59:30Z'))).insights).toEqual([]);
      const monday = new Date('2026-11-30T09:00:10Z');
      const [ra, rb] = await Promise.all([h.app.scheduler.tick(monday), b.scheduler.tick(monday)]);
      expect([...ra.insights, ...rb.insights]).toEqual([TEAM]);
      expect((await b.scheduler.tick(new Date('2026-11-30T09:00:50Z'))).insights).toEqual([]);
      const name = slotFilename('30d', '2026-11-30T09:00:00.000Z');
      const posted = () => [...h.slack.defaultTeam.files.values()].filter((f) => f.completed && f.name === name);
      await waitFor(() => posted().length > 0, 20_000, 'the weekly upload');
      await h.settle();
      expect(posted()).toHaveLength(1);
      expect(posted()[0].channels).toEqual([CH]);
      const { width, height, ink } = inkStats(posted()[0].content!);
      expect([width, height]).toEqual([720, 720]);
      expect(ink).toBeGreaterThan(20_000);
      expect(h.slack.messages(CH).find((m) => m.files?.some((f) => f.name === name))?.text).toContain(
        '*Insights, last 30d*',
      );
    } finally {
      const deps = b.deps;
      await b.stop();
      await deps.db.destroy();
    }
  }, 60_000);
});
