import { renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchReport, BenchRow, MachineInfo } from './bench.types';

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryMb: Math.round(os.totalmem() / 1024 / 1024),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

const fmt = (v: number | null | undefined, unit = ''): string => {
  if (v === null || v === undefined) return '—';
  const s = Number.isInteger(v)
    ? v.toLocaleString('en')
    : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${s} ${unit}` : s;
};

const verdict = (r: BenchRow) => (r.value === null ? 'not measured' : r.pass === true ? 'PASS' : r.pass === false ? 'MISS' : '');

export const HEADERS = ['measure', 'value', 'same-run baseline', 'ratio', 'target', 'result'];

export function cells(r: BenchRow): string[] {
  return [
    r.name,
    fmt(r.value, r.unit),
    r.baseline ? `${fmt(r.baseline.value, r.baseline.unit)} (${r.baseline.name})` : '',
    r.ratio === undefined || r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
    r.target ?? '',
    verdict(r),
  ];
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${(m.memoryMb / 1024).toFixed(1)} GB RAM, ${m.platform}, Node ${m.node}`;
}

/** Plain-text table for the terminal, notes under it. */
export function formatTable(report: BenchReport): string {
  const rows = report.rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cs: string[]) => cs.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [
    `Runbook Revenant bench (${report.mode}), ${report.date}, ${report.durationS.toFixed(0)} s`,
    machineLine(report.machine),
    '',
    line(HEADERS),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  const notes = [...report.rows.filter((r) => r.note).map((r) => `${r.name}: ${r.note}`), ...report.notes];
  if (notes.length) out.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  return out.join('\n');
}

/** The same table in Markdown (for README's Performance section). */
export function markdownTable(report: BenchReport): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...report.rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

/** Written to a temp name first, so a killed run never leaves half a file. */
export function writeReport(path: string, report: BenchReport): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
