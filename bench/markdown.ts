import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchReport } from './bench.types';
import { ROOT } from './processes';
import { machineLine, markdownTable } from './report';

/** Prints bench/results.json (or the file given) as Markdown, for README's Performance section. */
const file = process.argv[2] ?? path.join(ROOT, 'bench/results.json');
const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
const notes = report.rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
console.log(
  [
    `Measured ${report.date.slice(0, 10)} (${report.mode} run, ${Math.round(report.durationS)} s) on ${machineLine(report.machine)}.`,
    '',
    markdownTable(report),
    ...(notes.length || report.notes.length ? ['', ...notes, ...report.notes.map((n) => `- ${n}`)] : []),
  ].join('\n'),
);
