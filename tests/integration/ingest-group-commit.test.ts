import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/adapters/db/create-db';
import type { DB } from '../../src/adapters/db/schema';
import { bearer, connector, genericSignal, overSocket } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * Group commit's contract (issue 13): concurrent alert requests of one org share write transactions;
 * one request carries an alert that makes its transaction fail. Every request is answered; the failing
 * one's alerts are absent, the others' are all stored and correlated into one incident, and no request
 * is answered before what it sent is committed (checked from a second connection the moment each answer
 * arrives: it sees committed rows only).
 */
const N = 16;
const SERVICE = 'grouped-svc';
const POISON = 'poison-pill';

async function poison(db: DB, dialect: string) {
  if (dialect === 'sqlite') {
    await sql
      .raw(
        `create trigger poison before insert on signal_receipts when new.dedup_key like '%${POISON}%'
      begin select raise(abort, 'poisoned alert'); end`,
      )
      .execute(db);
    return;
  }
  await sql
    .raw(
      `create function poison() returns trigger language plpgsql as $$ begin
      if new.dedup_key like '%${POISON}%' then raise exception 'poisoned alert'; end if; return new; end $$`,
    )
    .execute(db);
  await sql`create trigger poison before insert on signal_receipts for each row execute function poison()`.execute(db);
}

describe.each(dialects())('group commit (%s)', (dialect) => {
  let h: Harness;
  let observer: DB;
  beforeAll(async () => {
    h = await startHarness(dialect);
    observer = createDb({ dialect, location: h.tdb.url });
    await poison(h.tdb.db, dialect);
  });
  afterAll(async () => {
    await observer?.destroy();
    await h?.close();
  });

  it(
    `${N} concurrent requests, one poisoned: ${N} answers, only its alerts absent, none answered before durable`,
    { timeout: 60_000 },
    async () => {
      const gen = await connector(h.tdb.db, TEAM, 'generic');
      const send = overSocket(h.app.url);
      const bad = 5;
      const fingerprints = (r: number) =>
        [0, 1, 2].map((i) => (r === bad && i === 1 ? `${POISON}-${r}` : `grouped-${r}-${i}`));
      const body = (r: number) =>
        JSON.stringify(
          fingerprints(r).map((fp) =>
            genericSignal({ serviceName: SERVICE, severity: 'critical', title: `alert ${fp}`, fingerprint: fp }),
          ),
        );
      const storedAtAnswer = new Map<number, number>();
      const before = h.app.deps.incidents.groupStats();
      // A large request of another connector and service keeps this org's commit queue busy, so the N requests
      // below gather into shared transactions however fast the machine answers them one by one.
      const other = await connector(h.tdb.db, TEAM, 'generic');
      const blockerBody = JSON.stringify(
        Array.from({ length: 600 }, (_, i) =>
          genericSignal({ serviceName: 'blocker-svc', severity: 'warning', title: `blocker ${i}`, fingerprint: `b-${i}` }),
        ),
      );
      // Open the sockets first (keep-alive), so the N requests below leave together as separate senders' would,
      // instead of trickling out one connection set-up at a time from this process.
      await Promise.all(Array.from({ length: N + 1 }, () => fetch(`${h.app.url}/healthz`).then((r) => r.text())));
      const blocker = send(other.id, blockerBody, bearer(other.token));
      const waitUntil = Date.now() + 10_000;
      while (h.app.deps.incidents.groupStats().jobs === before.jobs && Date.now() < waitUntil)
        await new Promise((r) => setTimeout(r, 1));
      const t0 = performance.now();

      const answers = await Promise.all(
        Array.from({ length: N }, async (_, r) => {
          const res = await send(gen.id, body(r), bearer(gen.token));
          // At the moment of the answer: what a second connection sees of this request's alerts.
          const rows = await observer
            .selectFrom('incident_signals')
            .select('fingerprint')
            .where('fingerprint', 'in', fingerprints(r))
            .execute();
          storedAtAnswer.set(r, rows.length);
          return res;
        }),
      );

      expect((await blocker).status).toBe(202);
      const stats = h.app.deps.incidents.groupStats();
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(N - 1);
      expect(statuses[bad]).toBe(500);
      for (let r = 0; r < N; r++)
        if (r !== bad) expect(storedAtAnswer.get(r), `request ${r} answered before its alerts were committed`).toBe(3);
      expect(storedAtAnswer.get(bad)).toBe(0);

      // Stored and correlated: one incident holds every good alert; nothing of the poisoned request anywhere.
      const incidents = await observer
        .selectFrom('incidents')
        .select(['id', 'signal_count'])
        .where('service', '=', SERVICE)
        .execute();
      expect(incidents).toHaveLength(1);
      expect(incidents[0].signal_count).toBe((N - 1) * 3);
      const receipts = await observer
        .selectFrom('signal_receipts')
        .select('dedup_key')
        .where('connector_id', '=', gen.id)
        .execute();
      expect(receipts).toHaveLength((N - 1) * 3);
      expect(receipts.filter((x) => x.dedup_key.includes(`grouped-${bad}-`))).toHaveLength(0);

      // Requests really shared transactions, and the failed group's jobs were answered alone.
      const groups = stats.groups - before.groups;
      const jobs = stats.jobs - before.jobs;
      expect(jobs).toBeGreaterThanOrEqual(N + 1); // the N requests and the blocker's parts
      expect(groups).toBeLessThan(N);
      expect(stats.alone - before.alone).toBeGreaterThanOrEqual(2);
      console.log(
        JSON.stringify({
          reliability: {
            test: 'group-commit',
            dialect,
            requests: N,
            jobs,
            transactions: groups,
            rerunAlone: stats.alone - before.alone,
            answered: answers.length,
            ms: Math.round(performance.now() - t0),
          },
        }),
      );
    },
  );

  it('requests merged into one batch: the same alert in two of them is stored once, the later one is its repeat', { timeout: 60_000 }, async () => {
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    const other = await connector(h.tdb.db, TEAM, 'generic');
    const send = overSocket(h.app.url);
    const alert = (fp: string) => genericSignal({ serviceName: 'merged-svc', severity: 'critical', title: `merged ${fp}`, fingerprint: fp });
    await Promise.all(Array.from({ length: 9 }, () => fetch(`${h.app.url}/healthz`).then((r) => r.text())));
    const blockerBody = JSON.stringify(Array.from({ length: 600 }, (_, i) => genericSignal({ serviceName: 'blocker-2', severity: 'warning', title: `b ${i}`, fingerprint: `b2-${i}` })));
    const before = h.app.deps.incidents.groupStats();
    const blocker = send(other.id, blockerBody, bearer(other.token));
    const waitUntil = Date.now() + 10_000;
    while (h.app.deps.incidents.groupStats().jobs === before.jobs && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 1));
    // Eight requests while the blocker commits: they gather into shared groups; all carry the same alert
    // (same fingerprint and start: one dedup key).
    const shared = alert('shared');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, r) => send(gen.id, JSON.stringify([shared, alert(`own-${r}`)]), bearer(gen.token))),
    );
    expect((await blocker).status).toBe(202);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    const bodies = answers.map((a) => a.body as { accepted: number; duplicates: number });
    expect(bodies.map((b) => b.accepted)).toEqual(Array(8).fill(2));
    expect(bodies.reduce((n, b) => n + b.duplicates, 0), JSON.stringify(bodies)).toBe(7);
    const stored = await observer
      .selectFrom('incident_signals')
      .select('fingerprint')
      .where('service', '=', 'merged-svc')
      .execute();
    expect(stored.map((x) => x.fingerprint).sort()).toEqual(['shared', ...Array.from({ length: 8 }, (_, r) => `own-${r}`)].sort());
    const incidents = await observer.selectFrom('incidents').select('signal_count').where('service', '=', 'merged-svc').execute();
    expect(incidents).toEqual([{ signal_count: 9 }]);
    const stats = h.app.deps.incidents.groupStats();
    expect(stats.groups - before.groups).toBeLessThan(stats.jobs - before.jobs);
    expect(stats.alone - before.alone, 'no group failed (and was re-run request by request)').toBe(0);
  });
});
