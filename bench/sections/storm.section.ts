import { createConnector } from '../../src/adapters/db/connector.repo';
import { type BenchContext, failureNote, row, runId, TEAM } from '../bench.context';
import type { BenchRow } from '../bench.types';
import type { AlertSpec } from '../request.builders';
import { startBotFixture, waitUntil } from './bot-fixture';

const MAX_WRITES = 20;

/**
 * A storm: `alerts` distinct alerts for one service inside `seconds`, as Alertmanager notifications
 * of `batchSize` alerts sent on a fixed schedule. Counts what users would see: incidents opened, Slack
 * write calls, and how long after the last alert the pinned summary shows the final signal count.
 */
export async function stormSection(ctx: BenchContext): Promise<BenchRow[]> {
  const { alerts, seconds, batchSize, settleTimeoutS } = ctx.scale.storm;
  const fx = await startBotFixture('sqlite');
  try {
    const { id, token } = await createConnector(fx.bdb.db, { orgId: TEAM, kind: 'alertmanager', name: 'storm', createdBy: 'U0001', now: new Date() });
    const requests = Math.ceil(alerts / batchSize);
    const spec: AlertSpec = {
      kind: 'alertmanager-webhook',
      url: `${fx.bot.url}/connectors/${id}/webhook`,
      token,
      batch: batchSize,
      fresh: true,
      services: 1,
      servicePrefix: 'checkout',
      runId: runId(),
      startsAt: new Date().toISOString(),
    };
    ctx.log(`storm: ${requests * batchSize} alerts for one service in ${seconds} s (${requests} notifications of ${batchSize})`);
    const load = await ctx.load.run({ request: spec, plan: { mode: 'open', rate: requests / seconds, durationS: seconds, maxInFlight: 10_000 }, okBody: '"accepted"' });
    const stormEnd = performance.now();

    const db = fx.bdb.db;
    const incidents = await db.selectFrom('incidents').select(['id', 'channel_id', 'signal_count']).where('org_id', '=', TEAM).execute();
    const main = incidents.sort((a, b) => b.signal_count - a.signal_count)[0];
    let summaryS: number | null = null;
    let summaryNote: string | undefined;
    if (main) {
      try {
        await waitUntil(
          async () => {
            const inc = await db.selectFrom('incidents').select(['channel_id', 'summary_ts', 'signal_count']).where('id', '=', main.id).executeTakeFirstOrThrow();
            const msg = inc.channel_id && inc.summary_ts ? fx.slack.messages(inc.channel_id).find((m) => m.ts === inc.summary_ts) : undefined;
            return msg && JSON.stringify(msg.blocks ?? []).includes(`/ ${inc.signal_count} total`) ? inc : undefined;
          },
          settleTimeoutS * 1000,
          'the summary to show the final count',
          100,
        );
        summaryS = (performance.now() - stormEnd) / 1000;
      } catch (e) {
        summaryNote = e instanceof Error ? e.message : String(e);
      }
    }
    // Count writes once every effect the storm caused (delayed rollups included) has gone out.
    await waitUntil(
      async () => {
        const left = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'in_flight']).executeTakeFirstOrThrow();
        return Number(left.n) === 0;
      },
      settleTimeoutS * 1000,
      'the outbox to drain',
      200,
    ).catch((e: unknown) => ctx.notes.push(`storm: ${e instanceof Error ? e.message : String(e)}; Slack writes counted so far`));
    const writes = fx.slack.writeCalls();
    const byMethod = Object.entries(writes.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.method]: (acc[c.method] ?? 0) + 1 }), {}))
      .map(([m, n]) => `${m} ${n}`)
      .join(', ');
    const signals = main ? Number((await db.selectFrom('incidents').select('signal_count').where('id', '=', main.id).executeTakeFirstOrThrow()).signal_count) : 0;
    const sent = load.ok * batchSize;
    return [
      row({ section: 'storm', name: `storm: incidents opened (${sent.toLocaleString('en')} alerts, one service, ${seconds} s)`, value: incidents.length, unit: 'incidents', target: '= 1', pass: incidents.length === 1, note: failureNote('storm', load) }),
      row({ section: 'storm', name: 'storm: Slack write calls', value: writes.length, unit: 'calls', target: `≤ ${MAX_WRITES}`, pass: writes.length <= MAX_WRITES, note: byMethod || undefined }),
      row({
        section: 'storm',
        name: 'storm: last alert → summary shows the final count',
        value: summaryS,
        unit: 's',
        note: summaryNote ?? `final count ${signals.toLocaleString('en')} signals; summary edits caused by alerts are deferred 5 s so a storm folds into few edits`,
      }),
      row({ section: 'storm', name: 'storm: p99 per notification', value: load.latency.p99, unit: 'ms' }),
    ];
  } finally {
    await fx.close();
  }
}
