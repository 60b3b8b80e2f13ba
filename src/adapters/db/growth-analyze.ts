import { sql } from 'kysely';
import { dialectOf } from './create-db';
import type { DB } from './schema';

/**
 * The tables ingestion looks up by key lists that Postgres, without statistics, planned as scans of the
 * org's rows (statement log of the bench's batches of 100: 4.1, 4.8 and 3.7 ms a lookup). The others are
 * read by their primary keys or partial indexes, which the planner takes without statistics.
 */
export const INGEST_TABLES = ['signal_receipts', 'firing_signals', 'incident_signals'] as const;

export interface GrowthAnalyzer {
  /** This process stored `n` more alerts. */
  noteRows(n: number): void;
  /** Tests: until the ANALYZE in progress (if any) has finished. */
  idle(): Promise<void>;
}

/**
 * Postgres only: ANALYZE ingestion's tables each time this process has stored `factor` times the alerts it
 * had at the last one (1,000, 4,000, 16,000…), off the request path. A storm on a new install grows them
 * from nothing in seconds, long before autovacuum's first ANALYZE (a minute's naptime at best), and the
 * planner, with no statistics, probed `signal_receipts` by org over its `received_at` index and filtered every
 * row: 4.1 ms for a batch's 100 keys against 1.4 ms with statistics (the bench's batches of 100, Postgres's
 * own statement log). Afterwards it costs one ANALYZE per fourfold growth. SQLite: nothing.
 */
export function createGrowthAnalyzer(
  db: DB,
  opts: { first?: number; factor?: number; onError?: (e: unknown) => void } = {},
): GrowthAnalyzer {
  const pg = dialectOf(db) === 'postgres';
  const factor = opts.factor ?? 4;
  let next = opts.first ?? 1_000;
  let stored = 0;
  let running: Promise<void> | undefined;
  return {
    noteRows(n) {
      if (!pg) return;
      stored += n;
      if (stored < next || running) return;
      next = stored * factor;
      running = sql`analyze ${sql.join(INGEST_TABLES.map((t) => sql.table(t)))}`
        .execute(db)
        .then(
          () => undefined,
          (e) => opts.onError?.(e),
        )
        .finally(() => (running = undefined));
    },
    idle: async () => {
      await running;
    },
  };
}
