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
  },
  quick: {
    name: 'quick',
    ack: { rates: [50, 200], durationS: 5, warmupS: 1 },
    ingest: { singleRequests: 500, batchRequests: 20, batchSize: 100, concurrency: 8, services: 50, maxPhaseS: 15 },
    storm: { alerts: 2_000, seconds: 10, batchSize: 10, settleTimeoutS: 40 },
    rebuild: { incidents: 1_000, eventsPerIncident: 100 },
    digest: { entries: 10_000, runs: 3 },
  },
  tiny: {
    name: 'tiny',
    ack: { rates: [20, 40], durationS: 0.5, warmupS: 0 },
    ingest: { singleRequests: 8, batchRequests: 2, batchSize: 20, concurrency: 2, services: 3, maxPhaseS: 10 },
    storm: { alerts: 40, seconds: 1, batchSize: 10, settleTimeoutS: 30 },
    rebuild: { incidents: 20, eventsPerIncident: 30 },
    digest: { entries: 100, runs: 1 },
  },
};

export function scaleFromEnv(env: NodeJS.ProcessEnv = process.env): Scale {
  if (env.BENCH_SCALE && env.BENCH_SCALE in SCALES) return SCALES[env.BENCH_SCALE as Scale['name']];
  return env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true' ? SCALES.quick : SCALES.full;
}
