import { execFile } from 'node:child_process';
import path from 'node:path';
import { type BenchContext, row } from '../bench.context';
import { createBenchDb } from '../bench-db';
import type { BenchRow } from '../bench.types';
import { generateEventLog } from '../event-log.generator';
import { ROOT, TSX } from '../processes';

/** Issue 13: a rebuild at no less than half the speed of merely reading and parsing the same log, same run. */
const TARGET_RATIO = 0.5;

interface ChildResult {
  scan: { events: number; ms: number };
  rebuild: { events: number; incidents: number; ms: number };
  cpuS: number;
  incidentRows: number;
  timelineRows: number;
}

/** bench/rebuild.child.ts in its own process; its last stdout line is the result. */
function runChild(file: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', TSX, path.join(ROOT, 'bench/rebuild.child.ts'), file], { cwd: ROOT, maxBuffer: 1 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`rebuild child failed: ${err.message}\n${stderr.slice(-2000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

/** `projections rebuild` over a generated log on SQLite, in its own process, next to a raw scan of the same log. */
export async function rebuildSection(ctx: BenchContext): Promise<BenchRow[]> {
  const { incidents, eventsPerIncident } = ctx.scale.rebuild;
  const bdb = await createBenchDb('sqlite');
  await bdb.db.destroy(); // the generator and the rebuild open their own handles
  try {
    const g0 = performance.now();
    const written = generateEventLog(bdb.file!, incidents, eventsPerIncident);
    ctx.log(`rebuild: generated ${written.toLocaleString('en')} events in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
    const out = await runChild(bdb.file!);
    const { scan, rebuild: r, cpuS } = out;
    const consistent = r.events === written && out.incidentRows === incidents && out.timelineRows === written;
    const perS = r.events / (r.ms / 1000);
    const scanPerS = scan.events / (scan.ms / 1000);
    // CPU time is steadier than wall time on a shared machine: it is reported next to the wall figure.
    const cpuNote = `CPU ${cpuS.toFixed(1)} s (${Math.round(r.events / cpuS).toLocaleString('en')} events per CPU-second)`;
    const note = consistent ? cpuNote : `rebuild read ${r.events} events, wrote ${out.incidentRows} incidents and ${out.timelineRows} timeline rows; expected ${written} / ${incidents}`;
    return [
      row({ section: 'rebuild', name: `projections rebuild, ${written.toLocaleString('en')} events (SQLite)`, value: r.ms / 1000, unit: 's', baseline: { name: 'raw scan + JSON.parse', value: scan.ms / 1000, unit: 's' } }),
      row({
        section: 'rebuild',
        name: 'projections rebuild throughput (SQLite)',
        value: perS,
        unit: 'events/s',
        baseline: { name: 'raw scan + JSON.parse', value: scanPerS, unit: 'events/s' },
        target: `≥ ${TARGET_RATIO}× raw scan`,
        pass: consistent && perS >= TARGET_RATIO * scanPerS,
        note,
      }),
    ];
  } finally {
    await bdb.destroy().catch(() => undefined);
  }
}
