import { runBench, SECTIONS } from './bench.runner';
import { formatTable, writeReport } from './report';
import { scaleFromEnv } from './scale';
import path from 'node:path';
import { ROOT } from './processes';

/**
 * `npm run bench`: measures, prints the table, writes bench/results.json, exits 0 even when a
 * target is missed (it reports; it does not gate). BENCH_QUICK=1 for a ~1 minute run;
 * BENCH_SECTIONS=ack,rebuild to run some sections; BENCH_OUT to write elsewhere.
 */
const scale = scaleFromEnv();
const wanted = process.env.BENCH_SECTIONS?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = wanted?.filter((s) => !(SECTIONS as string[]).includes(s)) ?? [];
if (unknown.length) {
  console.error(`Unknown BENCH_SECTIONS: ${unknown.join(', ')}. Known: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const out = process.env.BENCH_OUT ?? path.join(ROOT, 'bench/results.json');

const report = await runBench({ scale, sections: wanted as typeof SECTIONS | undefined });
console.log(formatTable(report));
writeReport(out, report);
console.log(`\nWrote ${path.relative(process.cwd(), out) || out}`);
process.exit(0);
