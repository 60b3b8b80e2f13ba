import { buildDigest } from '../../src/adapters/slack/digest/digest.delivery';
import { digestBlocks } from '../../src/watchlist/digest.blocks';
import type { WatchEntry } from '../../src/watchlist/digest.types';
import { type BenchContext, row, TEAM } from '../bench.context';
import { createBenchDb } from '../bench-db';
import type { BenchRow } from '../bench.types';

const TARGET_MS = 100;
const NOW = new Date('2026-03-02T09:00:00.000Z');

/** Watch entries as the alert pipeline leaves them: a mix of breached and at risk, with log lines. */
function entries(n: number): WatchEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(NOW.getTime() - (i % 720) * 60_000).toISOString();
    return {
      service: `svc-${String(i).padStart(5, '0')}`,
      environment: i % 3 === 0 ? 'staging' : 'prod',
      status: i % 4 === 0 ? 'BREACHED' : 'AT_RISK',
      riskScore: ((i * 7919) % 1000) / 1000,
      source: 'alertmanager',
      title: `HighErrorRate: 5xx rate ${(i % 9) + 1}.${i % 10}% on web-${i % 40}`,
      logs: Array.from({ length: 5 }, (_, k) => ({ level: k % 2 ? 'error' : 'warn', message: `upstream connect error or disconnect/reset before headers (attempt ${k})`, timestamp: at })),
      firstDetectedAt: at,
      lastUpdatedAt: at,
      ...(i % 10 === 0 ? { incident: { id: `inc-${i}`, number: i / 10 + 1, status: 'INVESTIGATING', channelId: `C${i}` } } : {}),
    };
  });
}

/** Median of `runs` timings after one warm-up run. */
async function median(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}

/**
 * Composing the watchlist digest with 10,000 active entries: the pure Block Kit builder given every
 * entry, and the production path (`buildDigest`: totals + top entries from the database, then blocks).
 */
export async function digestSection(ctx: BenchContext): Promise<BenchRow[]> {
  const { entries: n, runs } = ctx.scale.digest;
  const list = entries(n);
  const floor = await median(runs, () => JSON.stringify(list));
  const pure = await median(runs, () => digestBlocks({ entries: list, now: NOW, timeZone: 'Europe/Berlin', teamId: TEAM }));

  const bdb = await createBenchDb('sqlite');
  try {
    const rows = list.map((e) => ({
      org_id: TEAM,
      service: e.service,
      environment: e.environment,
      status: e.status,
      risk_score: e.riskScore,
      source: e.source,
      title: e.title,
      logs: JSON.stringify(e.logs),
      correlation_key: null,
      incident_id: null,
      firing_count: 1,
      first_detected_at: e.firstDetectedAt,
      last_updated_at: e.lastUpdatedAt,
      cleared_at: null,
      cleared_by: null,
    }));
    for (let i = 0; i < rows.length; i += 1000) await bdb.db.insertInto('watchlist').values(rows.slice(i, i + 1000)).execute();
    let shown = 0;
    const fromDb = await median(runs, async () => {
      shown = (await buildDigest(bdb.db, TEAM, { timeZone: 'Europe/Berlin', now: NOW })).shown;
    });
    const label = n.toLocaleString('en');
    return [
      row({ section: 'digest', name: `digest blocks for ${label} entries (pure builder)`, value: pure, unit: 'ms', baseline: { name: `JSON.stringify of the ${label} entries`, value: floor, unit: 'ms' }, target: `< ${TARGET_MS} ms`, pass: pure < TARGET_MS }),
      row({ section: 'digest', name: `digest composed from the database, ${label} entries (SQLite)`, value: fromDb, unit: 'ms', target: `< ${TARGET_MS} ms`, pass: fromDb < TARGET_MS && shown > 0 }),
    ];
  } finally {
    await bdb.destroy();
  }
}
