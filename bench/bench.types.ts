/** Shapes shared by the bench harness, its sections and the JSON it writes. */

export type SectionName = 'ack' | 'ingest' | 'storm' | 'rebuild' | 'digest' | 'capacity' | 'api' | 'memory' | 'soak';

export interface Baseline {
  name: string;
  value: number | null;
  unit: string;
}

/** One figure of the report: what was measured, next to its same-run baseline and its target. */
export interface BenchRow {
  section: SectionName;
  name: string;
  /** null when not measured (see `note`). */
  value: number | null;
  unit: string;
  baseline?: Baseline;
  /** value / baseline.value, when both exist. */
  ratio?: number | null;
  /** Human-readable target, e.g. "< 25 ms"; absent when the figure is informational. */
  target?: string;
  /** true / false against the target; null when there is no target or nothing was measured. */
  pass: boolean | null;
  note?: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryMb: number;
  platform: string;
  node: string;
}

export interface BenchReport {
  date: string;
  mode: Scale['name'];
  machine: MachineInfo;
  durationS: number;
  rows: BenchRow[];
  notes: string[];
}

/** How big each section runs: `full` (the real bench), `quick` (~1 min), `tiny` (the smoke test). */
export interface Scale {
  name: 'full' | 'quick' | 'tiny';
  ack: { rates: number[]; durationS: number; warmupS: number };
  /** `maxPhaseS` bounds each closed-loop run, so a stalled bot cannot stall the bench. */
  ingest: { singleRequests: number; batchRequests: number; batchSize: number; concurrency: number; services: number; maxPhaseS: number };
  storm: { alerts: number; seconds: number; batchSize: number; settleTimeoutS: number };
  rebuild: { incidents: number; eventsPerIncident: number };
  digest: { entries: number; runs: number };
  /** `GET /incidents` (50 per page) over `incidents` incidents, open loop at `rate` for `durationS`. */
  api: { incidents: number; rate: number; durationS: number; warmupS: number };
  /** Acks during a storm, the highest rates with p99 < 100 ms (tried in order, `stepS` each), the big request's size. */
  capacity: { ackRate: number; ackS: number; stormConcurrency: number; rates: number[]; stepS: number; bodyBytes: number };
}

/** Latency summary of one load run, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Requests the plan called for; `sent` is lower when a closed-loop run hit its time limit. */
  planned: number;
  sent: number;
  ok: number;
  failed: number;
  /** Open loop only: requests not sent because too many were still in flight. */
  dropped: number;
  statuses: Record<string, number>;
  firstFailure?: string;
  elapsedS: number;
  requestsPerS: number;
  /** Items (alerts) per second over the run: requests × items per request / elapsed. */
  itemsPerS: number;
  latency: LatencySummary;
}
