import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeartbeatService } from '../../src/app/heartbeat.service';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * Heartbeats (dead man's switch) against the running bot: created with the slash command, pinged over
 * HTTP, missed for real (short intervals, the real 1-second checker), cleared by the next ping.
 */
describe.each(dialects())('heartbeats (%s)', (dialect) => {
  let h: Harness;
  let url = '';
  let token = '';
  let id = '';
  const ping = (o: { token?: string; method?: string; body?: string } = {}) =>
    fetch(url, {
      method: o.method ?? 'POST',
      headers: { authorization: `Bearer ${o.token ?? token}`, 'content-type': 'application/json' },
      body: o.method === 'GET' ? undefined : (o.body ?? '{}'),
    });
  const missedSince = async () =>
    (
      await h.tdb.db
        .selectFrom('heartbeats')
        .select('missed_since')
        .where('connector_id', '=', id)
        .executeTakeFirstOrThrow()
    ).missed_since;
  const watch = () =>
    h.tdb.db
      .selectFrom('watchlist')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('service', '=', 'nightly-backup')
      .executeTakeFirst();

  beforeAll(async () => {
    // The real scheduler: the heartbeat check every second (SLO evaluation finds no SLOs).
    h = await startHarness(dialect, { HEARTBEAT_CHECK_SECONDS: '1', AUTO_DECLARE: 'off' });
  }, 60_000);
  afterAll(async () => h?.close());

  it('`/incident connector add heartbeat <name> every … grace …` creates it and shows the token once', async () => {
    const r = await h.command('connector add heartbeat nightly-backup every 2s grace 1s');
    const text = String(r.body.text);
    expect(text).toContain('(heartbeat) created');
    token = /\*Token\* `([^`]+)`/.exec(text)![1];
    id = /\*URL\* \S+\/connectors\/([^/]+)\/webhook/.exec(text)![1];
    url = `${h.app.url}/connectors/${id}/webhook`; // PUBLIC_URL is not this test's port
    const row = await h.tdb.db
      .selectFrom('heartbeats')
      .selectAll()
      .where('connector_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      org_id: TEAM,
      name: 'nightly-backup',
      interval_ms: 2000,
      grace_ms: 1000,
      last_ping_at: null,
    });
  });

  it('refuses a bad interval with a reason, creating nothing', async () => {
    const before = await h.tdb.db.selectFrom('connectors').select('id').execute();
    const r = await h.command('connector add heartbeat cron every soon');
    expect(r.body.text).toContain('The interval "soon" is not a duration like 30s, 5m, 1h or 1d');
    expect(await h.tdb.db.selectFrom('connectors').select('id').execute()).toHaveLength(before.length);
  });

  it('a ping is any authenticated POST (an Alertmanager Watchdog body too); a wrong token is refused', async () => {
    const watchdog = JSON.stringify({
      status: 'firing',
      alerts: [{ labels: { alertname: 'Watchdog' }, status: 'firing' }],
    });
    const ok = await ping({ body: watchdog });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ heartbeat: 'nightly-backup', cleared: false });
    expect((await ping({ token: 'rvn_wrong' })).status).toBe(401);
    expect((await ping({ method: 'GET' })).status).toBe(404);
    const row = await h.tdb.db
      .selectFrom('heartbeats')
      .selectAll()
      .where('connector_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.last_ping_at).not.toBeNull();
  });

  it('before interval + grace nothing is raised; after it the watchlist has a BREACHED entry', async () => {
    await ping();
    const pingedAt = Date.now();
    // Checked right after a ping (the deadline is 3 s away): not missed.
    expect(await createHeartbeatService(h.app.deps).check(new Date())).toEqual([]);
    const entry = await waitFor(
      async () => {
        const w = await watch();
        return w?.status === 'BREACHED' && (await missedSince()) ? w : undefined;
      },
      20_000,
      'a BREACHED watchlist entry',
    );
    // Raised no earlier than interval + grace after the last ping.
    expect(Date.parse(entry.first_detected_at)).toBeGreaterThanOrEqual(pingedAt + 3000 - 50);
    expect(entry.title).toMatch(/^No heartbeat from nightly-backup for \d+ s$/);
    expect(entry.source).toBe('heartbeat');
    const row = await h.tdb.db
      .selectFrom('heartbeats')
      .selectAll()
      .where('connector_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.missed_since).not.toBeNull();
  });

  it('the next ping clears it, and a later miss raises it again', async () => {
    const r = await ping();
    expect(await r.json()).toMatchObject({ cleared: true });
    expect((await watch())?.status).toBe('CLEARED');
    // Marked missed after the signal went in: wait for both, so this ping is the one that clears.
    await waitFor(
      async () => (await watch())?.status === 'BREACHED' && (await missedSince()),
      20_000,
      'breached again',
    );
    expect(await (await ping()).json()).toMatchObject({ cleared: true });
    expect((await watch())?.status).toBe('CLEARED');
  });
});

describe('heartbeat check racing a ping', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite', { AUTO_DECLARE: 'off' }, { startScheduler: false });
  }, 60_000);
  afterAll(async () => h?.close());

  it('a ping that lands between the miss signal and its mark still leaves the heartbeat clear', async () => {
    const { addConnector } = await import('../../src/app/connector.service');
    const admin = { kind: 'user' as const, id: 'U0001', role: 'admin' as const };
    const c = await addConnector(h.app.deps, {
      orgId: TEAM,
      actor: admin,
      kind: 'heartbeat',
      name: 'race every 1s grace 1s',
    });
    const service = createHeartbeatService(h.app.deps);
    // The check reads the heartbeat, then (while it raises the signal) a ping arrives.
    const late = new Date(Date.now() + 5000);
    const { recordPing } = await import('../../src/adapters/db/heartbeat.repo');
    const listed = await h.tdb.db
      .selectFrom('heartbeats')
      .selectAll()
      .where('connector_id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(listed.missed_since).toBeNull();
    const checking = service.check(late);
    await recordPing(h.tdb.db, c.id, new Date().toISOString());
    await checking;
    const row = await h.tdb.db
      .selectFrom('heartbeats')
      .selectAll()
      .where('connector_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const entry = await h.tdb.db
      .selectFrom('watchlist')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('service', '=', 'race')
      .executeTakeFirst();
    // Either the ping came first (nothing raised) or the check noticed it and resolved what it raised.
    expect(row.missed_since).toBeNull();
    expect(entry === undefined || entry.status === 'CLEARED').toBe(true);
    // What makes it so: a mark is refused once the last ping is not the one the check read.
    const { markMissed } = await import('../../src/adapters/db/heartbeat.repo');
    expect(await markMissed(h.tdb.db, c.id, late.toISOString(), null, listed.last_ping_at)).toBe(false);
    expect(await markMissed(h.tdb.db, c.id, late.toISOString(), null, row.last_ping_at)).toBe(true);
  });
});
