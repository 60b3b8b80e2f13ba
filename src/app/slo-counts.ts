import type { SloCounts } from '../slos/burn-rate';
import { BURN_WINDOWS, BURN_WINDOW_MS, type SloDefinition, type WindowCounts } from '../slos/slo.types';

/** The one thing SLO evaluation needs from Prometheus (prometheus.client.ts implements it). */
export interface MetricsQueryPort {
  /** The single number `query` gives at `time`; throws with a readable message otherwise. */
  instant(query: string, time: Date): Promise<number>;
}

/** `{{.window}}` (Sloth's spelling), `{{ window }}` or `$window` in a query: the window goes there. */
const PLACEHOLDER = /\{\{\s*\.?window\s*\}\}|\$window\b/g;
export const hasWindowPlaceholder = (q: string) => new RegExp(PLACEHOLDER.source).test(q);

/** Prometheus duration for a window: whole minutes (`40320m` for 28d) are always valid. */
const promDuration = (ms: number) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${Math.round(ms / 60_000)}m`);

/**
 * Good and total counts over the SLO window and the burn windows, ending at `at`.
 * With a placeholder each window is one query per side ("sum(rate(x[{{.window}}]))" — a rate works as well
 * as an increase: only the ratio matters). Without one the queries are cumulative counters (OpenSLO
 * `counter: true`) read at the window's end and start; the difference is the count (a counter reset inside
 * the window makes it negative, reported as a problem).
 */
export async function countsFor(port: MetricsQueryPort, def: SloDefinition, at: Date): Promise<SloCounts> {
  const { numerator, numeratorQuery, totalQuery } = def.indicator;
  const windows = [def.windowMs, ...BURN_WINDOWS.map((w) => BURN_WINDOW_MS[w])];
  let counts: WindowCounts[];
  if (hasWindowPlaceholder(numeratorQuery) || hasWindowPlaceholder(totalQuery)) {
    const fill = (q: string, ms: number) => q.replace(PLACEHOLDER, promDuration(ms));
    counts = await Promise.all(
      windows.map(async (ms) => {
        const [n, total] = await Promise.all([
          port.instant(fill(numeratorQuery, ms), at),
          port.instant(fill(totalQuery, ms), at),
        ]);
        return { good: numerator === 'good' ? n : total - n, total };
      }),
    );
  } else {
    const times = [at, ...windows.map((ms) => new Date(at.getTime() - ms))];
    const values = await Promise.all(
      times.map(async (t) => {
        const [n, total] = await Promise.all([port.instant(numeratorQuery, t), port.instant(totalQuery, t)]);
        return { n, total };
      }),
    );
    const end = values[0];
    counts = values.slice(1).map((start, i) => {
      const n = end.n - start.n;
      const total = end.total - start.total;
      if (n < 0 || total < 0)
        throw new Error(
          `a counter went down within the last ${promDuration(windows[i])} (a reset?); use a {{.window}} query with increase()`,
        );
      return { good: numerator === 'good' ? n : total - n, total };
    });
  }
  const [window, ...burn] = counts;
  for (const c of counts)
    if (c.good > c.total + 1e-9) throw new Error(`good (${c.good}) exceeds total (${c.total}): check the queries`);
  return { window, burn: Object.fromEntries(BURN_WINDOWS.map((w, i) => [w, burn[i]])) as SloCounts['burn'] };
}
