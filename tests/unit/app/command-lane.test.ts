import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentService } from '../../../src/app/incident.service';
import { createTestDb, type TestDb } from '../../helpers/test-db';

/**
 * SQLite has one writer: a person's command must not queue behind alert groups (issue 13, point 3). A
 * group that comes due while a person's unit of work is waiting or running starts only after it; work
 * nobody waits for (effect deliveries, jobs) takes no precedence. Postgres has no such lane.
 */
describe('command lane on SQLite', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await tdb?.destroy();
  });

  it("a person's unit of work goes before the alert group submitted meanwhile", async () => {
    const incidents = createIncidentService({ db: tdb.db });
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const person = incidents.transact(
      'T1',
      async () => {
        order.push('person:start');
        await held;
        order.push('person:end');
      },
      { person: true },
    );
    const group = incidents.transact(
      'T1',
      async () => {
        order.push('group');
      },
      { group: true },
    );
    // Let the group gather and reach the lane while the person's work is still open.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['person:start']);
    release();
    await Promise.all([person, group]);
    expect(order).toEqual(['person:start', 'person:end', 'group']);
  });

  it('while people type, alert groups stay one part long; otherwise parts share one transaction', async () => {
    const parts = async (incidents: ReturnType<typeof createIncidentService>) => {
      const before = incidents.groupStats().groups;
      await Promise.all(Array.from({ length: 5 }, () => incidents.transact('T2', async () => undefined, { group: true, weight: 100 })));
      return incidents.groupStats().groups - before;
    };
    const quiet = createIncidentService({ db: tdb.db });
    expect(await parts(quiet)).toBe(1);
    const typing = createIncidentService({ db: tdb.db });
    await typing.transact('T2', async () => undefined, { person: true });
    expect(await parts(typing)).toBe(5);
    // Work nobody waits for (effect deliveries, jobs) is not a person typing.
    const background = createIncidentService({ db: tdb.db });
    await background.transact('T2', async () => undefined);
    expect(await parts(background)).toBe(1);
  });
});
