import { randomBytes } from 'node:crypto';
import type { Dialect } from './bench-db';
import type { BenchRow, LoadResult, Scale } from './bench.types';
import type { LoadGenerator } from './processes';
import { round } from './stats';

export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const TEAM = 'T0001';
export const ADMIN = 'U0001';

/** What every section gets: the scale, the load generator process, the bare-Hono floor, a place for notes. */
export interface BenchContext {
  scale: Scale;
  load: LoadGenerator;
  baselineUrl: string;
  /** Databases the bot is measured on (ingestion); SQLite-only sections ignore it. */
  dialects: Dialect[];
  notes: string[];
  /** Progress lines (stderr), so stdout stays the table. */
  log(msg: string): void;
  /** Filled by sections that measure the bot's memory. */
  memory: { idleMb?: number | null; afterAckMb?: number | null; endOfIngestMb?: number | null; ingestDialect?: string; heap: Partial<Record<'idle' | 'afterAck' | 'endOfIngest', string>> };
}

export const runId = () => randomBytes(4).toString('hex');

/** A figure compared to a same-run baseline: `lowerIsBetter` decides nothing here, the target does. */
export function row(r: Omit<BenchRow, 'pass' | 'ratio'> & { pass?: boolean | null }): BenchRow {
  const value = round(r.value);
  const baseline = r.baseline ? { ...r.baseline, value: round(r.baseline.value) } : undefined;
  const ratio = value !== null && baseline?.value ? round(value / baseline.value) : undefined;
  return { ...r, value, ...(baseline ? { baseline, ratio: ratio ?? null } : {}), pass: r.value === null ? null : (r.pass ?? null) };
}

export const notMeasured = (section: BenchRow['section'], name: string, unit: string, target: string | undefined, why: string): BenchRow => ({
  section,
  name,
  value: null,
  unit,
  ...(target ? { target } : {}),
  pass: null,
  note: `not measured: ${why}`,
});

/** A short note when a load run had failures, so a fast-but-failing figure is never read as good. */
export function failureNote(what: string, r: LoadResult): string | undefined {
  const parts: string[] = [];
  if (r.failed > 0) parts.push(`${r.failed}/${r.sent} failed (first: ${r.firstFailure ?? '?'})`);
  if (r.dropped > 0) parts.push(`${r.dropped} not sent (too many in flight)`);
  if (r.sent + r.dropped < r.planned) parts.push(`only ${r.sent} of ${r.planned} sent before the time limit`);
  return parts.length ? `${what}: ${parts.join('; ')}` : undefined;
}
