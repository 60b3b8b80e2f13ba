import type { Scale } from './bench.types';

/** `full` is what the README's table comes from; `quick` is for iteration; `tiny` only proves the harness runs. */
export const SCALES: Record<Scale['name'], Scale> = {
  full: {
    name: 'full',
    ack: { rates: [50, 200], durationS: 20, warmupS: 3 },
    ingest: { singleRequests: 3000, batchRequests: 100, batchSize: 100, concurrency: 8, services: 100, maxPhaseS: 40 },
    storm: { alerts: 10_000, seconds: 60, batchSize: 10, settleTimeoutS: 90 },
    rebuild: { incidents: 10_000, eventsPerIncident: 100 },
    digest: { entries: 10_000, runs: 5 },
    api: { incidents: 10_000, rate: 200, durationS: 20, warmupS: 3 },
    capacity: { ackRate: 200, ackS: 15, stormConcurrency: 4, rates: [50, 100, 200, 400, 800, 1600, 3200], stepS: 5, bodyBytes: 1024 * 1024 },
  },
  quick: {
    name: 'quick',
    ack: { rates: [50, 200], durationS: 5, warmupS: 1 },
    ingest: { singleRequests: 500, batchRequests: 20, batchSize: 100, concurrency: 8, services: 50, maxPhaseS: 15 },
    storm: { alerts: 2_000, seconds: 10, batchSize: 10, settleTimeoutS: 40 },
    rebuild: { incidents: 1_000, eventsPerIncident: 100 },
    digest: { entries: 10_000, runs: 3 },
    api: { incidents: 10_000, rate: 200, durationS: 5, warmupS: 1 },
    capacity: { ackRate: 200, ackS: 4, stormConcurrency: 4, rates: [50, 200, 800, 3200], stepS: 2, bodyBytes: 1024 * 1024 },
  },
  tiny: {
    name: 'tiny',
    ack: { rates: [20, 40], durationS: 0.5, warmupS: 0 },
    ingest: { singleRequests: 8, batchRequests: 2, batchSize: 20, concurrency: 2, services: 3, maxPhaseS: 10 },
    storm: { alerts: 40, seconds: 1, batchSize: 10, settleTimeoutS: 30 },
    rebuild: { incidents: 20, eventsPerIncident: 30 },
    digest: { entries: 100, runs: 1 },
    api: { incidents: 60, rate: 20, durationS: 0.5, warmupS: 0 },
    capacity: { ackRate: 20, ackS: 0.5, stormConcurrency: 1, rates: [10, 20], stepS: 0.5, bodyBytes: 64 * 1024 },
  },
};

export function scaleFromEnv(env: NodeJS.ProcessEnv = process.env): Scale {
  if (env.BENCH_SCALE && env.BENCH_SCALE in SCALES) return SCALES[env.BENCH_SCALE as Scale['name']];
  return env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true' ? SCALES.quick : SCALES.full;
}
