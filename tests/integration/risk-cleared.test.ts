import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connector, genericSignal, overSocket } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/*
 * Issue 16 fix, end to end: an alert whose metrics are all within thresholds is CLEARED even when the sender
 * marks it firing (no incident, off the watchlist); an alert without metrics still maps by its severity label.
 */
describe.each(dialects())('metrics within thresholds clear a "firing" alert (%s)', (dialect) => {
  let h: Harness;
  let gen: { id: string; token: string };
  const send = (body: unknown) => overSocket(h.app.url)(gen.id, JSON.stringify(body), bearer(gen.token));
  const watch = (service: string) =>
    h.tdb.db
      .selectFrom('watchlist')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('service', '=', service)
      .executeTakeFirst();
  const incidents = (service: string) =>
    h.tdb.db.selectFrom('incidents').select('id').where('org_id', '=', TEAM).where('service', '=', service).execute();

  beforeAll(async () => {
    h = await startHarness(dialect);
    gen = await connector(h.tdb.db, TEAM, 'generic');
  }, 60_000);
  afterAll(async () => h?.close());

  it('a critical, firing alert with healthy numbers opens nothing and lists nothing', async () => {
    const r = await send([
      genericSignal({ serviceName: 'calm', severity: 'critical', metrics: { errorRate: 0.001, latencyMs: 80 } }),
    ]);
    expect(r).toMatchObject({ status: 202, body: { accepted: 1, declared: 0 } });
    expect(await incidents('calm')).toEqual([]);
    expect(await watch('calm')).toBeUndefined();
  });

  it('an at-risk alert that fires again with healthy numbers clears its watchlist entry', async () => {
    const first = genericSignal({
      serviceName: 'wobbly',
      fingerprint: 'wobbly-1',
      metrics: { errorRate: 0.03 },
      startsAt: new Date(Date.now() - 120_000).toISOString(),
    });
    await send([first]);
    expect(await watch('wobbly')).toMatchObject({ status: 'AT_RISK', firing_count: 1 });
    await send([{ ...first, metrics: { errorRate: 0.002 }, startsAt: new Date(Date.now() - 60_000).toISOString() }]);
    expect(await watch('wobbly')).toMatchObject({ status: 'CLEARED', firing_count: 0 });
  });

  it('without metrics, the severity label decides as before', async () => {
    await send([genericSignal({ serviceName: 'labelled', severity: 'critical' })]);
    expect(await incidents('labelled')).toHaveLength(1);
    await send([genericSignal({ serviceName: 'warned', severity: 'warning' })]);
    expect(await watch('warned')).toMatchObject({ status: 'AT_RISK' });
    expect(await incidents('warned')).toEqual([]);
  });
});
