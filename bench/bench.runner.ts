import type { BenchContext } from './bench.context';
import { benchDialects, type Dialect } from './bench-db';
import { notMeasured, row } from './bench.context';
import type { BenchReport, BenchRow, Scale, SectionName } from './bench.types';
import { startBaseline, startLoadGenerator } from './processes';
import { machineInfo } from './report';
import { ackSection } from './sections/ack.section';
import { apiSection } from './sections/api.section';
import { capacitySection } from './sections/capacity.section';
import { digestSection } from './sections/digest.section';
import { ingestSection } from './sections/ingest.section';
import { rebuildSection } from './sections/rebuild.section';
import { stormSection } from './sections/storm.section';

export const SECTIONS: Exclude<SectionName, 'memory' | 'soak'>[] = [
  'ack',
  'ingest',
  'storm',
  'rebuild',
  'digest',
  'capacity',
  'api',
];

/** Issue 13: under 200 MB with margin; the margin is 10 %. */
const RSS_TARGET_MB = 180;

const run: Record<(typeof SECTIONS)[number], (ctx: BenchContext) => Promise<BenchRow[]>> = {
  ack: ackSection,
  ingest: ingestSection,
  storm: stormSection,
  rebuild: rebuildSection,
  digest: digestSection,
  capacity: capacitySection,
  api: apiSection,
};

export interface RunOptions {
  scale: Scale;
  sections?: (typeof SECTIONS)[number][];
  /** Default: SQLite, plus Postgres when TEST_DATABASE_URL is set. */
  dialects?: Dialect[];
  log?: (msg: string) => void;
}

/** Runs the sections in order; a section that throws becomes a "not measured" row, the rest still run. */
export async function runBench(opts: RunOptions): Promise<BenchReport> {
  const started = performance.now();
  const log = opts.log ?? ((m: string) => process.stderr.write(`[bench] ${m}\n`));
  const load = await startLoadGenerator();
  const baseline = await startBaseline();
  const ctx: BenchContext = { scale: opts.scale, load, baselineUrl: baseline.url, dialects: opts.dialects ?? benchDialects(), notes: [], log, memory: { heap: {} } };
  const rows: BenchRow[] = [];
  try {
    for (const name of opts.sections ?? SECTIONS) {
      const t0 = performance.now();
      log(`${name}: start`);
      try {
        rows.push(...(await run[name](ctx)));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        log(`${name}: failed: ${msg}`);
        rows.push(notMeasured(name, `${name} section`, '', undefined, `the section failed: ${msg.split('\n')[0]}`));
      }
      log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await baseline.stop();
    await load.close();
  }
  const sections = opts.sections ?? SECTIONS;
  if (sections.includes('ack') || sections.includes('ingest')) rows.push(...memoryRows(ctx));
  return {
    date: new Date().toISOString(),
    mode: opts.scale.name,
    machine: machineInfo(),
    durationS: (performance.now() - started) / 1000,
    rows,
    notes: ctx.notes,
  };
}

function memoryRows(ctx: BenchContext): BenchRow[] {
  const m = ctx.memory;
  const rss = (name: string, v: number | null | undefined, why: string, heap?: string): BenchRow =>
    v === undefined || v === null
      ? notMeasured('memory', name, 'MB', `< ${RSS_TARGET_MB} MB`, why)
      : row({ section: 'memory', name, value: v, unit: 'MB', target: `< ${RSS_TARGET_MB} MB`, pass: v < RSS_TARGET_MB, note: heap });
  return [
    rss('bot RSS idle (after start)', m.idleMb, 'neither the ack nor the ingestion section ran', m.heap.idle),
    rss('bot RSS after the ack load', m.afterAckMb, 'the ack section did not run', m.heap.afterAck),
    rss(`bot RSS at the end of the ingestion run${m.ingestDialect ? ` (${m.ingestDialect})` : ''}`, m.endOfIngestMb, 'the ingestion run did not happen', m.heap.endOfIngest),
  ];
}
