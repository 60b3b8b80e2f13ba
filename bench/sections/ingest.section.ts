import { createConnector } from '../../src/adapters/db/connector.repo';
import { type BenchContext, failureNote, notMeasured, row, runId, TEAM } from '../bench.context';
import type { Dialect } from '../bench-db';
import type { BenchRow, LoadResult } from '../bench.types';
import type { LoadPlan } from '../load.generator';
import { heapNote, startAlertmanager } from '../processes';
import { rawSqliteFloor } from '../raw-ingest.floor';
import type { AlertSpec } from '../request.builders';
import { startBotFixture } from './bot-fixture';

type Phase = 'single-fresh' | 'single-repeat' | 'batch-fresh' | 'batch-repeat';
const PHASES: Phase[] = ['single-fresh', 'single-repeat', 'batch-fresh', 'batch-repeat'];
type PhaseResults = Record<Phase, LoadResult>;

/**
 * Alert ingestion: Alertmanager webhook bodies (the captured shape, labels and fingerprints varied),
 * single alerts and batches, fresh and repeated, closed loop at a fixed concurrency. Floors in the
 * same run: a bare Hono JSON handler, raw better-sqlite3 inserts of the same rows, and Alertmanager's
 * own /api/v2/alerts ingestion of the same batches when it is installed.
 */
export async function ingestSection(ctx: BenchContext): Promise<BenchRow[]> {
  const s = ctx.scale.ingest;
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const spec = (kind: AlertSpec['kind'], url: string, batch: number, fresh: boolean, token?: string): AlertSpec => ({
    kind,
    url,
    token,
    batch,
    fresh,
    services: s.services,
    servicePrefix: 'svc',
    runId: runId(),
    startsAt,
  });
  const plan = (count: number, maxDurationS = s.maxPhaseS): LoadPlan => ({ mode: 'closed', concurrency: s.concurrency, count, maxDurationS });

  /** The four phases against one target; repeats first send each repeated group once, unmeasured. */
  async function phases(kind: AlertSpec['kind'], url: string, okBody?: string, token?: string): Promise<PhaseResults> {
    await ctx.load.run({ request: spec(kind, url, 1, true, token), plan: plan(Math.min(100, s.singleRequests), 10), okBody }); // warm-up
    const out = {} as PhaseResults;
    for (const p of PHASES) {
      const batch = p.startsWith('single') ? 1 : s.batchSize;
      const count = p.startsWith('single') ? s.singleRequests : s.batchRequests;
      const sp = spec(kind, url, batch, p.endsWith('fresh'), token);
      if (p.endsWith('repeat')) await ctx.load.run({ request: sp, plan: plan(s.services, 10), okBody });
      ctx.log(`ingest: ${kind} ${p} × ${count} → ${url.replace(/\/connectors\/.*/, '/connectors/…')}`);
      out[p] = await ctx.load.run({ request: sp, plan: plan(count), offset: p.endsWith('repeat') ? s.services : 0, okBody });
    }
    return out;
  }

  const bareSingle = await ctx.load.run({ request: spec('alertmanager-webhook', `${ctx.baselineUrl}/alerts`, 1, true), plan: plan(s.singleRequests) });
  const bareBatch = await ctx.load.run({ request: spec('alertmanager-webhook', `${ctx.baselineUrl}/alerts`, s.batchSize, true), plan: plan(s.batchRequests) });
  const raw = await rawSqliteFloor(spec('alertmanager-webhook', '', s.batchSize, true), s.batchRequests);

  let am: PhaseResults | undefined;
  let amVersion = '';
  const alertmanager = await startAlertmanager().catch((e: unknown) => {
    ctx.notes.push(`Alertmanager did not start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return undefined;
  });
  if (alertmanager) {
    try {
      amVersion = alertmanager.version;
      am = await phases('alertmanager-api', `${alertmanager.url}/api/v2/alerts`);
    } finally {
      await alertmanager.stop();
    }
  } else ctx.notes.push('prometheus-alertmanager is not installed: the batched-ingestion target has no Alertmanager figure to compare with.');

  const amName = `Alertmanager ${amVersion} /api/v2/alerts`;
  const amResults = am;
  const rows: BenchRow[] = [
    row({ section: 'ingest', name: 'floor: bare Hono JSON parse + 202, single alerts', value: bareSingle.itemsPerS, unit: 'alerts/s', note: failureNote('bare Hono', bareSingle) }),
    row({ section: 'ingest', name: `floor: bare Hono JSON parse + 202, batches of ${s.batchSize}`, value: bareBatch.itemsPerS, unit: 'alerts/s', note: failureNote('bare Hono', bareBatch) }),
    row({ section: 'ingest', name: 'floor: raw better-sqlite3 inserts of the same rows, one transaction', value: raw.alerts / (raw.ms / 1000), unit: 'alerts/s' }),
  ];
  if (am) {
    for (const p of PHASES) rows.push(row({ section: 'ingest', name: `floor: ${amName}, ${label(p, s.batchSize)}`, value: am[p].itemsPerS, unit: 'alerts/s', note: failureNote('Alertmanager', am[p]) }));
  }

  const byDialect = new Map<Dialect, PhaseResults>();
  for (const dialect of ctx.dialects) {
    try {
      const r = await botPhases(dialect);
      if (Array.isArray(r)) rows.push(...r);
      else {
        byDialect.set(dialect, r);
        rows.push(...PHASES.flatMap((p) => botRows(p, dialect, r[p])));
      }
    } catch (e) {
      rows.push(notMeasured('ingest', `alert ingestion (${dialect})`, 'alerts/s', undefined, e instanceof Error ? e.message.split('\n')[0] : String(e)));
    }
  }
  const lite = byDialect.get('sqlite');
  const pg = byDialect.get('postgres');
  if (lite && pg) {
    // Issue 13: Postgres (several replicas) at least half of SQLite's rate for the same load.
    for (const p of PHASES) {
      const ok = pg[p].failed === 0 && pg[p].itemsPerS >= 0.5 * lite[p].itemsPerS;
      const name = `Postgres vs SQLite, ${label(p, s.batchSize)}`;
      rows.push(row({ section: 'ingest', name, value: pg[p].itemsPerS, unit: 'alerts/s', baseline: { name: 'bot on SQLite', value: lite[p].itemsPerS, unit: 'alerts/s' }, target: '≥ 0.5 × SQLite', pass: ok }));
    }
  }
  return rows;

  async function botPhases(dialect: Dialect): Promise<BenchRow[] | PhaseResults> {
    const fx = await startBotFixture(dialect);
    try {
      if (dialect === 'sqlite' && ctx.memory.idleMb == null) {
        await new Promise((r) => setTimeout(r, 500));
        ctx.memory.idleMb = fx.bot.rssMb();
        ctx.memory.heap.idle = await heapNote(fx.bot.url);
      }
      const { id, token } = await createConnector(fx.bdb.db, { orgId: TEAM, kind: 'alertmanager', name: 'bench', createdBy: 'U0001', now: new Date() });
      const url = `${fx.bot.url}/connectors/${id}/webhook`;
      const probe = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      if (probe.status === 404 && (await probe.text()).includes('No route')) {
        return PHASES.map((p) => notMeasured('ingest', `bot ${label(p, s.batchSize)} (${dialect})`, 'alerts/s', undefined, 'route missing'));
      }
      const bot = await phases('alertmanager-webhook', url, '"accepted"', token);
      if (dialect === 'sqlite') {
        ctx.memory.endOfIngestMb = fx.bot.rssMb();
        ctx.memory.heap.endOfIngest = await heapNote(fx.bot.url);
        ctx.memory.ingestDialect = dialect;
      }
      return bot;
    } finally {
      await fx.close();
    }
  }

  /**
   * Issue 13's targets, as same-run ratios: single alerts (fresh and repeated) against bare Hono's JSON
   * handler; fresh batches against raw better-sqlite3 inserts of the same rows (Alertmanager shown beside);
   * repeated batches against Alertmanager's own ingestion of the same batches.
   */
  function botRows(p: Phase, dialect: string, r: LoadResult): BenchRow[] {
    const healthy = r.failed === 0;
    const name = `bot ${label(p, s.batchSize)} (${dialect})`;
    const rawRate = raw.alerts / (raw.ms / 1000);
    const am = amResults?.[p];
    let base: { name: string; result?: LoadResult; value: number } | undefined;
    let target: { target?: string; pass?: boolean } = {};
    if (p.startsWith('single')) {
      base = { name: 'bare Hono', result: bareSingle, value: bareSingle.itemsPerS };
      target = { target: '≥ 0.25 × bare Hono', pass: healthy && r.itemsPerS >= 0.25 * bareSingle.itemsPerS };
    } else if (p === 'batch-fresh') {
      base = { name: 'raw better-sqlite3 inserts of the same rows', value: rawRate };
      target = { target: '≥ 0.5 × raw inserts', pass: healthy && r.itemsPerS >= 0.5 * rawRate };
    } else if (am) {
      base = { name: amName, result: am, value: am.itemsPerS };
      target = { target: '≥ 1.0 × Alertmanager', pass: healthy && r.itemsPerS >= am.itemsPerS };
    }
    const out = [
      row({ section: 'ingest', name, value: r.itemsPerS, unit: 'alerts/s', ...(base ? { baseline: { name: base.name, value: base.value, unit: 'alerts/s' } } : {}), ...(dialect === 'sqlite' ? target : {}), note: failureNote('bot', r) }),
    ];
    if (p === 'batch-fresh' && am) out.push(row({ section: 'ingest', name: `${name} beside Alertmanager`, value: r.itemsPerS, unit: 'alerts/s', baseline: { name: amName, value: am.itemsPerS, unit: 'alerts/s' } }));
    const latencyBase = base?.result ?? (p === 'batch-fresh' ? am : undefined);
    const latencyName = base?.result ? base.name : amName;
    out.push(row({ section: 'ingest', name: `${name} p99 per request`, value: r.latency.p99, unit: 'ms', ...(latencyBase ? { baseline: { name: latencyName, value: latencyBase.latency.p99, unit: 'ms' } } : {}) }));
    return out;
  }
}

const label = (p: Phase, batch: number) =>
  ({ 'single-fresh': 'single alerts, fresh', 'single-repeat': 'single alerts, repeats', 'batch-fresh': `batches of ${batch}, fresh`, 'batch-repeat': `batches of ${batch}, repeats` })[p];
