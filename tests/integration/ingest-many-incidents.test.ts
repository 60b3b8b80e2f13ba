import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connector, genericSignal, overSocket } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';

/**
 * One request whose alerts join several open incidents: on Postgres their streams are locked and read
 * together (incident-loader.ts `preload`: two round trips for all of them), and each alert still lands on
 * its own incident, once, with the incident's events in sequence.
 */
describe.each(dialects())('a request joining several incidents (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness(dialect)));
  afterAll(async () => h?.close());

  it('attaches each alert to its own incident', { timeout: 60_000 }, async () => {
    const gen = await connector(h.tdb.db, TEAM, 'generic');
    const send = overSocket(h.app.url);
    const services = ['pay-svc', 'cart-svc', 'auth-svc'];
    const alert = (service: string, fp: string) =>
      genericSignal({ serviceName: service, severity: 'critical', title: `${service} ${fp}`, fingerprint: fp });
    for (const s of services) {
      const r = await send(gen.id, JSON.stringify([alert(s, `${s}-0`)]), bearer(gen.token));
      expect(r).toMatchObject({ status: 202, body: { declared: 1 } });
    }
    const body = JSON.stringify(services.flatMap((s) => [alert(s, `${s}-1`), alert(s, `${s}-2`)]));
    const r = await send(gen.id, body, bearer(gen.token));
    expect(r).toMatchObject({ status: 202, body: { accepted: 6, attached: 6, declared: 0, duplicates: 0 } });

    const rows = await h.tdb.db.selectFrom('incidents').select(['id', 'service', 'signal_count']).execute();
    expect(rows.map((x) => [x.service, x.signal_count]).sort()).toEqual([
      ['auth-svc', 3],
      ['cart-svc', 3],
      ['pay-svc', 3],
    ]);
    const signals = await h.tdb.db.selectFrom('incident_signals').select(['incident_id', 'service']).execute();
    for (const x of signals) expect(rows.find((i) => i.id === x.incident_id)?.service).toBe(x.service);
    for (const { id } of rows) {
      const seqs = (
        await h.tdb.db
          .selectFrom('incident_events')
          .select('seq')
          .where('incident_id', '=', id)
          .orderBy('seq')
          .execute()
      ).map((e) => Number(e.seq));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
  });
});
