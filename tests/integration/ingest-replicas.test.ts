import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/adapters/db/create-db';
import { createLogger } from '../../src/adapters/logger';
import { type Running, startRevenant } from '../../src/server';
import { bearer, connector, genericSignal, overSocket, storedCounts } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * Two replicas on one database (seen-receipts.ts): once a process on Postgres has learned that the keys it
 * does not know are new alerts, it stops looking them up before the write path, which classifies them under
 * its lock instead. Alerts another replica stored must still be recognised as repeats there (stored once,
 * attached once, counted as duplicates), and after a few such repeats the process looks up first again.
 */
describe.each(dialects())('repeats stored by another replica (%s)', (dialect) => {
  let h: Harness;
  let b: Running;
  beforeAll(async () => {
    h = await startHarness(dialect);
    const logger = createLogger('silent');
    b = await startRevenant(h.config, {
      db: createDb(h.tdb.target, { poolMax: 3 }),
      startScheduler: false,
      workerPollMs: 20,
      logger,
    });
  });
  afterAll(async () => {
    await b?.stop();
    await h?.close();
  });

  it(
    'are duplicates either way, stored once; the process looks them up first again after a few',
    { timeout: 60_000 },
    async () => {
      const gen = await connector(h.tdb.db, TEAM, 'generic');
      const startsAt = new Date().toISOString(); // part of the dedup key: a repeat is the same delivery again
      const alert = (fp: string) =>
        JSON.stringify([
          genericSignal({ serviceName: 'replica-svc', severity: 'critical', title: fp, fingerprint: fp, startsAt }),
        ]);
      const toA = overSocket(h.app.url);
      const toB = overSocket(b.url);
      // Process A sees only new alerts for a while: it learns not to look their keys up first.
      for (let i = 0; i < 12; i++)
        expect((await toA(gen.id, alert(`a-${i}`), bearer(gen.token))).body).toMatchObject({
          accepted: 1,
          duplicates: 0,
        });
      // Process B stores ten more; A has never seen them.
      for (let i = 0; i < 10; i++)
        expect((await toB(gen.id, alert(`b-${i}`), bearer(gen.token))).body).toMatchObject({
          accepted: 1,
          duplicates: 0,
        });
      const stored = await storedCounts(h.tdb.db);
      const signals = async () =>
        Number(
          (
            await h.tdb.db
              .selectFrom('incident_signals')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const attached = await signals();

      const throughGroup: boolean[] = [];
      for (let i = 0; i < 10; i++) {
        const jobs = h.app.deps.incidents.groupStats().jobs;
        const r = await toA(gen.id, alert(`b-${i}`), bearer(gen.token));
        expect(r).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 1, attached: 0, declared: 0 } });
        throughGroup.push(h.app.deps.incidents.groupStats().jobs > jobs);
      }
      if (dialect === 'postgres') {
        // The first repeat went to the write path (no lookup first); later ones were found by the lookup again.
        expect(throughGroup[0]).toBe(true);
        expect(throughGroup.slice(1)).toContain(false);
        expect(throughGroup.lastIndexOf(true)).toBeLessThan(throughGroup.indexOf(false));
      } else expect(throughGroup).not.toContain(true); // SQLite always looks up first (an in-process read)
      // Nothing stored twice, nothing attached twice.
      const after = await storedCounts(h.tdb.db);
      expect(after.receipts).toBe(stored.receipts);
      expect(after.events).toBe(stored.events);
      expect(await signals()).toBe(attached);
    },
  );
});
