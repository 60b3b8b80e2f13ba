import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createConnector } from '../../src/adapters/db/connector.repo';
import { type BenchContext, failureNote, row, runId, TEAM } from '../bench.context';
import type { BenchReport, BenchRow, LoadResult } from '../bench.types';
import type { LoadJob } from '../load.generator';
import { ROOT, startLoadGenerator } from '../processes';
import { formatTable, machineInfo, writeReport } from '../report';
import type { AlertSpec } from '../request.builders';
import { scaleFromEnv } from '../scale';
import { declareBenchIncident, startBotFixture } from './bot-fixture';

/**
 * Soak (run by hand: `npm run bench:soak`, 20 minutes by default; BENCH_SOAK_S=60 for a short check):
 * mixed traffic at moderate rates against the real bot on SQLite — slash-command notes, fresh and
 * repeated single alerts, fresh batches, a declaration now and then — while RSS, V8 heap and the
 * event loop's worst delay are sampled every BENCH_SOAK_SAMPLE_S (10 s). Growth is measured after a
 * warm-up (a quarter of the run, at most 2 minutes): median of the last three samples against the
 * median of the first three after warm-up. Target: under 10 % for RSS and heap, and no error logged.
 */

const GROWTH_TARGET_PCT = 10;

export interface SoakSample {
  atS: number;
  rssMb: number | null;
  heapUsedMb: number | null;
  /** Worst event-loop delay since the previous sample (prom-client resets it on each scrape). */
  loopMaxMs: number | null;
}

interface LogCount {
  errors: number;
  warnings: number;
  firstError?: string;
}

const metric = (text: string, name: string): number | null => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

async function sample(botUrl: string, rssMb: number | null, atS: number): Promise<SoakSample> {
  const text = await fetch(`${botUrl}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const heap = metric(text, 'nodejs_heap_size_used_bytes');
  const loop = metric(text, 'nodejs_eventloop_lag_max_seconds');
  return {
    atS,
    rssMb,
    heapUsedMb: heap === null ? null : heap / 1048576,
    loopMaxMs: loop === null ? null : loop * 1000,
  };
}

/** Counts warn/error lines in the bot's output tail, each once (pino lines carry their `time`). */
function logWatcher(output: () => string) {
  const count: LogCount = { errors: 0, warnings: 0 };
  let lastTime = 0;
  const poll = () => {
    let newest = lastTime;
    for (const line of output().split('\n')) {
      const m = /"level":(\d+),"time":(\d+)/.exec(line);
      if (!m || Number(m[2]) <= lastTime) continue;
      newest = Math.max(newest, Number(m[2]));
      if (Number(m[1]) >= 50) {
        count.errors++;
        count.firstError ??= line.slice(0, 300);
      } else if (Number(m[1]) >= 40) count.warnings++;
    }
    lastTime = newest;
  };
  const timer = setInterval(poll, 1000);
  return { count, stop: () => (clearInterval(timer), poll()) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Growth in % from the first three samples after warm-up to the last three; null when too few. */
export function growthPct(samples: SoakSample[], warmupS: number, key: 'rssMb' | 'heapUsedMb'): number | null {
  const after = samples.filter((s) => s.atS >= warmupS && s[key] !== null).map((s) => s[key] as number);
  if (after.length < 4) return null;
  const first = median(after.slice(0, 3));
  const last = median(after.slice(-3));
  return ((last - first) / first) * 100;
}

export async function soakSection(ctx: BenchContext): Promise<BenchRow[]> {
  const durationS = Number(process.env.BENCH_SOAK_S ?? 1200);
  const everyS = Number(process.env.BENCH_SOAK_SAMPLE_S ?? 10);
  const warmupS = Math.min(120, durationS / 4);
  const fx = await startBotFixture('sqlite');
  try {
    const { channel } = await declareBenchIncident(fx, 'declare sev3 Soak test');
    const conn = await createConnector(fx.bdb.db, {
      orgId: TEAM,
      kind: 'alertmanager',
      name: 'soak',
      createdBy: 'bench',
      now: new Date(),
    });
    const alerts = (batch: number, fresh: boolean, services: number): AlertSpec => ({
      kind: 'alertmanager-webhook',
      url: `${fx.bot.url}/connectors/${conn.id}/webhook`,
      token: conn.token,
      batch,
      fresh,
      services,
      servicePrefix: fresh ? 'soak-fresh' : 'soak-repeat',
      runId: runId(),
      startsAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const open = (request: LoadJob['request'], rate: number, okBody?: string): LoadJob => ({
      request,
      plan: { mode: 'open', rate, durationS },
      okBody,
      timeoutS: 10,
    });
    // ~27 requests/s: what a busy workspace's Alertmanager and responders send, not a stress test.
    const jobs: Array<[string, LoadJob]> = [
      ['notes 5/s', open(fx.slashSpec(channel, 'note soak note {i}'), 5, 'Added to the timeline')],
      ['fresh single alerts 10/s', open(alerts(1, true, 40), 10)],
      ['repeated single alerts 10/s', open(alerts(1, false, 40), 10)],
      ['fresh batches of 20 at 0.5/s', open(alerts(20, true, 10), 0.5)],
      ['declarations 1/min', open(fx.slashSpec('CGENERAL', 'declare sev4 Soak declaration {i}'), 1 / 60, 'Declared')],
    ];
    ctx.log(`soak: ${durationS} s of mixed traffic, sampling every ${everyS} s (warm-up ${warmupS} s)`);
    const logs = logWatcher(fx.bot.output);
    const samples: SoakSample[] = [];
    const t0 = performance.now();
    const sampler = setInterval(() => {
      const atS = (performance.now() - t0) / 1000;
      void sample(fx.bot.url, fx.bot.rssMb(), atS).then((s) => {
        samples.push(s);
        ctx.log(
          `soak: ${atS.toFixed(0)} s RSS ${s.rssMb?.toFixed(0)} MB heap ${s.heapUsedMb?.toFixed(0)} MB loop max ${s.loopMaxMs?.toFixed(0)} ms`,
        );
      });
    }, everyS * 1000);
    let results: LoadResult[];
    try {
      results = await Promise.all(jobs.map(([, job]) => ctx.load.run(job)));
    } finally {
      clearInterval(sampler);
      logs.stop();
    }
    return soakRows(
      samples,
      warmupS,
      logs.count,
      jobs.map(([name], i) => [name, results[i]] as const),
    );
  } finally {
    await fx.close();
  }
}

function soakRows(
  samples: SoakSample[],
  warmupS: number,
  logs: LogCount,
  loads: ReadonlyArray<readonly [string, LoadResult]>,
): BenchRow[] {
  const rss = growthPct(samples, warmupS, 'rssMb');
  const heap = growthPct(samples, warmupS, 'heapUsedMb');
  const loops = samples.map((s) => s.loopMaxMs).filter((v): v is number => v !== null);
  const failed = loads.reduce((n, [, r]) => n + r.failed + r.dropped, 0);
  const sent = loads.reduce((n, [, r]) => n + r.sent, 0);
  const failures = loads
    .map(([name, r]) => failureNote(name, r))
    .filter(Boolean)
    .join(' · ');
  const range = (key: 'rssMb' | 'heapUsedMb') => {
    const v = samples.map((s) => s[key]).filter((x): x is number => x !== null);
    return v.length
      ? `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)} MB over ${samples.length} samples`
      : undefined;
  };
  const growth = (name: string, v: number | null, note?: string) =>
    row({
      section: 'soak',
      name,
      value: v,
      unit: '%',
      target: `< ${GROWTH_TARGET_PCT} %`,
      pass: v !== null && v < GROWTH_TARGET_PCT,
      note,
    });
  return [
    growth('soak: RSS growth after warm-up', rss, range('rssMb')),
    growth('soak: V8 heap growth after warm-up', heap, range('heapUsedMb')),
    row({
      section: 'soak',
      name: 'soak: worst event-loop delay in a sample',
      value: loops.length ? Math.max(...loops) : null,
      unit: 'ms',
      note: loops.length ? `median of the per-sample worst ${median(loops).toFixed(1)} ms` : undefined,
    }),
    row({
      section: 'soak',
      name: 'soak: errors logged',
      value: logs.errors,
      unit: 'lines',
      target: '= 0',
      pass: logs.errors === 0,
      note:
        [logs.firstError, logs.warnings ? `${logs.warnings} warnings` : ''].filter(Boolean).join(' · ') || undefined,
    }),
    row({
      section: 'soak',
      name: 'soak: requests failed',
      value: failed,
      unit: `of ${sent.toLocaleString('en')}`,
      target: '= 0',
      pass: failed === 0,
      note: failures || undefined,
    }),
  ];
}

// Run by hand: `npm run bench:soak` writes bench/soak-results.json and prints the table.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const load = await startLoadGenerator();
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const ctx: BenchContext = {
    scale: scaleFromEnv(),
    load,
    baselineUrl: '',
    dialects: ['sqlite'],
    notes: [],
    log,
    memory: { heap: {} },
  };
  let rows: BenchRow[];
  try {
    rows = await soakSection(ctx);
  } finally {
    await load.close();
  }
  const report: BenchReport = {
    date: new Date().toISOString(),
    mode: ctx.scale.name,
    machine: machineInfo(),
    durationS: (performance.now() - started) / 1000,
    rows,
    notes: ctx.notes,
  };
  console.log(formatTable(report));
  const out = process.env.BENCH_OUT ?? path.join(ROOT, 'bench/soak-results.json');
  writeReport(out, report);
  console.log(`\nWrote ${path.relative(process.cwd(), out) || out}`);
  process.exit(0);
}
