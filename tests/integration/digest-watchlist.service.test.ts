import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDigestService } from '../../src/app/digest.service';
import { clearEntry, declareDraftFromEntry, listWatchlist } from '../../src/app/watchlist.service';
import { createOutboxWorker, type OutboxRow } from '../../src/adapters/outbox/outbox.worker';
import type { Actor } from '../../src/incidents/incident.types';
import { DomainError } from '../../src/shared/domain-error';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

/** The digest and watchlist use cases called directly, on a real database and a real outbox worker. */
const ORG = 'T0001';
const admin: Actor = { kind: 'user', id: 'U1', role: 'admin' };
const lead: Actor = { kind: 'user', id: 'U2', role: 'sre_lead' };
const responder: Actor = { kind: 'user', id: 'U3', role: 'responder' };
const viewer: Actor = { kind: 'user', id: 'U4', role: 'viewer' };
const defaults = { channel: 'sre', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' };
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof DomainError ? `${e.code}: ${e.reason}` : `thrown: ${String(e)}`),
  );

describe.each(dialects())('digest and watchlist services (%s)', (dialect) => {
  let tdb: TestDb;
  const clock = new Date('2025-03-03T08:00:00Z'); // Monday 09:00 in Berlin
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
  });
  beforeEach(async () => {
    for (const t of ['outbox', 'schedule_leases', 'digest_settings', 'watchlist', 'watchlist_history'] as const)
      await tdb.db.deleteFrom(t).execute();
  });
  afterAll(async () => tdb?.destroy());

  const delivered: OutboxRow[] = [];
  const service = (deliver = true) => {
    const worker = createOutboxWorker({
      db: tdb.db,
      deliver: async (row) => (delivered.push(row), { type: 'done', result: { ts: '9.9' } }),
    });
    let kicks = 0;
    const digests = createDigestService({
      db: tdb.db,
      defaults,
      now: () => clock,
      outbox: { kick: () => void kicks++, ...(deliver ? { deliverNow: worker.deliverNow } : {}) },
    });
    return { digests, kicks: () => kicks };
  };
  const outbox = () => tdb.db.selectFrom('outbox').selectAll().orderBy('id').execute();

  it('posts now through the outbox: once per request key, delivered at once when asked, queued otherwise', async () => {
    const { digests, kicks } = service();
    delivered.length = 0;
    const now = await digests.postNow({ orgId: ORG, actor: admin, requestKey: 'cli:1', delivery: 'now' });
    expect(now).toMatchObject({
      channel: 'sre',
      slot: 'manual:cli:1',
      queued: true,
      outcome: { type: 'done', result: { ts: '9.9' } },
    });
    expect(delivered.map((r) => [r.id, r.kind, r.payload])).toEqual([
      [
        now.outboxId,
        'digest.post',
        { channel: 'sre', timezone: 'Europe/Berlin', silentWhenEmpty: false, slot: 'manual:cli:1', reason: 'manual' },
      ],
    ]);
    expect(await digests.postNow({ orgId: ORG, actor: admin, requestKey: 'cli:1', delivery: 'now' })).toMatchObject({
      queued: false,
    });
    const queued = await digests.postNow({ orgId: ORG, actor: admin, requestKey: 'slack:2', delivery: 'queue' });
    expect(queued.outcome).toBeUndefined();
    expect(kicks()).toBe(1);
    expect((await outbox()).map((r) => r.status)).toEqual(['done', 'pending']);
  });

  it('refuses a non-admin and a workspace without a digest channel, queuing nothing', async () => {
    const { digests } = service();
    expect(await refusal(digests.postNow({ orgId: ORG, actor: lead, requestKey: 'k', delivery: 'queue' }))).toMatch(
      /^forbidden: Only an admin can post the digest/,
    );
    const bare = createDigestService({ db: tdb.db, defaults: { ...defaults, channel: undefined }, now: () => clock });
    expect(await refusal(bare.postNow({ orgId: ORG, actor: admin, requestKey: 'k', delivery: 'queue' }))).toMatch(
      /^invalid_input: There is no digest channel/,
    );
    expect(await outbox()).toEqual([]);
  });

  it('configures per workspace (admins only, schedule and zone checked) and the scheduler posts each slot once', async () => {
    const { digests } = service(false);
    expect(await refusal(digests.configure({ orgId: ORG, actor: lead, patch: { enabled: false } }))).toMatch(
      /^forbidden: Only an admin can change the digest; you are a/,
    );
    expect(await refusal(digests.configure({ orgId: ORG, actor: admin, patch: { cron: '0 25 * * *' } }))).toMatch(
      /^invalid_input: .*not a valid cron/,
    );
    expect(await refusal(digests.configure({ orgId: ORG, actor: admin, patch: { timezone: 'Mars/Olympus' } }))).toMatch(
      /^invalid_input: “Mars\/Olympus” is not a time zone/,
    );
    const s = await digests.configure({
      orgId: ORG,
      actor: admin,
      patch: { channel: 'C0SRE', cron: '30 7 * * *', timezone: 'UTC', silentWhenEmpty: true },
    });
    expect(s).toMatchObject({
      channel: 'C0SRE',
      cron: '30 7 * * *',
      timezone: 'UTC',
      silentWhenEmpty: true,
      enabled: true,
      custom: { channel: true, cron: true, timezone: true },
    });
    const at = new Date('2025-03-03T07:30:20Z');
    expect(await digests.postScheduled({ at, by: 'p1' })).toEqual([ORG]);
    expect(await digests.postScheduled({ at, by: 'p2' })).toEqual([]); // another process, same minute
    expect(await digests.postScheduled({ at: new Date('2025-03-03T07:31:00Z'), by: 'p1' })).toEqual([]); // not due
    const rows = await outbox();
    expect(rows.map((r) => JSON.parse(r.payload))).toEqual([
      {
        channel: 'C0SRE',
        timezone: 'UTC',
        silentWhenEmpty: true,
        slot: '2025-03-03T07:30:00.000Z',
        reason: 'scheduled',
      },
    ]);
    // A manual post speaks even when the schedule stays silent on an empty list.
    await digests.postNow({ orgId: ORG, actor: admin, requestKey: 'm', delivery: 'queue' });
    expect(JSON.parse((await outbox())[1].payload)).toMatchObject({ silentWhenEmpty: false, reason: 'manual' });
  });

  it('watchlist: list for everyone, clear for leads with history, a declare draft for responders', async () => {
    const base = {
      org_id: ORG,
      environment: 'production',
      source: 'alertmanager',
      correlation_key: null,
      incident_id: null,
      firing_count: 1,
      cleared_at: null,
      cleared_by: null,
    };
    await tdb.db
      .insertInto('watchlist')
      .values([
        {
          ...base,
          service: 'checkout',
          status: 'BREACHED',
          risk_score: 0.9,
          title: 'Checkout errors',
          logs: JSON.stringify([{ level: 'error', message: 'gateway timeout', timestamp: '2025-03-03T07:59:00Z' }]),
          first_detected_at: '2025-03-03T07:00:00.000Z',
          last_updated_at: '2025-03-03T07:59:00.000Z',
        },
        {
          ...base,
          service: 'search',
          status: 'AT_RISK',
          risk_score: 0.5,
          title: 'Search slow',
          logs: 'not json',
          first_detected_at: '2025-03-03T06:00:00.000Z',
          last_updated_at: '2025-03-03T07:00:00.000Z',
        },
      ])
      .execute();
    const deps = { db: tdb.db, defaults, now: () => clock };
    const view = await listWatchlist(deps, { orgId: ORG, actor: viewer });
    expect(view.totals).toEqual({ breached: 1, atRisk: 1 });
    expect(view.entries.map((e) => e.service)).toEqual(['checkout', 'search']);
    expect(view.timeZone).toBe('Europe/Berlin');

    const ref = { service: 'checkout', environment: 'production' };
    expect(await refusal(declareDraftFromEntry(deps, { orgId: ORG, actor: viewer, ref }))).toMatch(
      /^forbidden: .*responder/,
    );
    const draft = await declareDraftFromEntry(deps, { orgId: ORG, actor: responder, ref });
    expect(draft).toMatchObject({ title: 'Checkout errors', severity: 'SEV2', service: 'checkout' });
    expect(draft.description).toMatch(
      /^From the watchlist: checkout \(production\) breached, risk 0\.90[\s\S]*Latest logs:\n2025-03-03T07:59:00Z ERROR gateway timeout$/,
    );
    expect(
      (
        await declareDraftFromEntry(deps, {
          orgId: ORG,
          actor: responder,
          ref: { service: 'search', environment: 'production' },
        })
      ).severity,
    ).toBe('SEV3');

    expect(await refusal(clearEntry(deps, { orgId: ORG, actor: responder, ref }))).toMatch(
      /^forbidden: Only an admin or an SRE lead/,
    );
    expect(await clearEntry(deps, { orgId: ORG, actor: lead, ref })).toEqual({ outcome: 'cleared', ...ref });
    expect(await clearEntry(deps, { orgId: ORG, actor: lead, ref })).toEqual({ outcome: 'already_clear', ...ref });
    expect(
      (await clearEntry(deps, { orgId: ORG, actor: lead, ref: { service: 'nope', environment: 'x' } })).outcome,
    ).toBe('not_found');
    expect(await refusal(declareDraftFromEntry(deps, { orgId: ORG, actor: responder, ref }))).toMatch(
      /^not_found: checkout \(production\) is no longer on the watchlist/,
    );
    const hist = await tdb.db.selectFrom('watchlist_history').selectAll().execute();
    expect(hist).toMatchObject([{ service: 'checkout', status: 'CLEARED', reason: 'cleared_by_user', actor: 'U2' }]);
  });
});
