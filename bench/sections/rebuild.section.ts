import { createDb } from '../../src/adapters/db/create-db';
import { rebuildProjections } from '../../src/adapters/db/rebuild';
import { type BenchContext, row } from '../bench.context';
import { createBenchDb } from '../bench-db';
import type { BenchRow } from '../bench.types';
import { generateEventLog, rawScan } from '../event-log.generator';

const TARGET_EVENTS_PER_S = 100_000;

/** `projections rebuild` over a generated log on SQLite, next to a raw scan of the same log. */
export async function rebuildSection(ctx: BenchContext): Promise<BenchRow[]> {
  const { incidents, eventsPerIncident } = ctx.scale.rebuild;
  const bdb = await createBenchDb('sqlite');
  await bdb.db.destroy(); // the generator and the rebuild open their own handles
  try {
    const g0 = performance.now();
    const written = generateEventLog(bdb.file!, incidents, eventsPerIncident);
    ctx.log(`rebuild: generated ${written.toLocaleString('en')} events in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
    const scan = rawScan(bdb.file!);
    const db = createDb(bdb.target);
    try {
      const cpu0 = process.cpuUsage();
      const r = await rebuildProjections(db);
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      const [inc, tl] = await Promise.all([
        db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        db.selectFrom('incident_timeline').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const consistent = r.events === written && Number(inc.n) === incidents && Number(tl.n) === written;
      const perS = r.events / (r.ms / 1000);
      const scanPerS = scan.events / (scan.ms / 1000);
      // CPU time is steadier than wall time on a shared machine: it is reported next to the wall figure.
      const cpuNote = `CPU ${cpuS.toFixed(1)} s (${Math.round(r.events / cpuS).toLocaleString('en')} events per CPU-second)`;
      const note = consistent ? cpuNote : `rebuild read ${r.events} events, wrote ${inc.n} incidents and ${tl.n} timeline rows; expected ${written} / ${incidents}`;
      return [
        row({ section: 'rebuild', name: `projections rebuild, ${written.toLocaleString('en')} events (SQLite)`, value: r.ms / 1000, unit: 's', baseline: { name: 'raw scan + JSON.parse', value: scan.ms / 1000, unit: 's' } }),
        row({
          section: 'rebuild',
          name: 'projections rebuild throughput (SQLite)',
          value: perS,
          unit: 'events/s',
          baseline: { name: 'raw scan + JSON.parse', value: scanPerS, unit: 'events/s' },
          target: `≥ ${TARGET_EVENTS_PER_S.toLocaleString('en')} events/s`,
          pass: consistent && perS >= TARGET_EVENTS_PER_S,
          note,
        }),
      ];
    } finally {
      await db.destroy();
    }
  } finally {
    await bdb.destroy().catch(() => undefined);
  }
}
