import {
  BURN_WINDOWS,
  type BurnAlert,
  type BurnWindow,
  type SloDefinition,
  type SloEvaluation,
  type SloStatus,
  type WindowCounts,
} from './slo.types';

/**
 * Error budgets and burn rates (Google SRE Workbook, "Alerting on SLOs"). Pure.
 *   SLI            = good / total over a window (no traffic: undefined)
 *   burn rate      = (bad / total) / (1 − target): 1× spends exactly the budget over the SLO window
 *   budget left    = 1 − burn rate over the whole SLO window (1 = untouched, 0 = spent, < 0 overspent)
 * Multi-window, multi-burn-rate alerts (the long window says it matters, the short one that it is still
 * happening, so the alert stops soon after the burn does):
 *   page   = 14.4× over 1h AND 5m, or 6× over 6h AND 30m (2 % resp. 5 % of a 30-day budget)
 *   ticket = 1× over 3d AND 6h
 */

export const PAGE_RULES = [
  { long: '1h', short: '5m', factor: 14.4 },
  { long: '6h', short: '30m', factor: 6 },
] as const satisfies ReadonlyArray<{ long: BurnWindow; short: BurnWindow; factor: number }>;
export const TICKET_RULE = { long: '3d', short: '6h', factor: 1 } as const;

const bad = (c: WindowCounts) => Math.max(0, c.total - c.good);

export function sli(c: WindowCounts): number | undefined {
  return c.total > 0 ? Math.min(1, Math.max(0, c.good / c.total)) : undefined;
}

/** Multiples of the sustainable error rate; a window without traffic burns nothing. */
export function burnRate(c: WindowCounts, target: number): number {
  if (c.total <= 0) return 0;
  return bad(c) / c.total / (1 - target);
}

export function budgetRemaining(c: WindowCounts, target: number): number {
  return 1 - burnRate(c, target);
}

export interface AlertDecision {
  alert: BurnAlert;
  reason?: string;
}

/** The ticket rule alone (a page-level burn usually trips it too; both are raised as their own signal). */
export const ticketFires = (rates: Partial<Record<BurnWindow, number>>) =>
  (rates[TICKET_RULE.long] ?? 0) > TICKET_RULE.factor && (rates[TICKET_RULE.short] ?? 0) > TICKET_RULE.factor;

export function burnAlert(rates: Record<BurnWindow, number>): AlertDecision {
  for (const r of PAGE_RULES) {
    if (rates[r.long] > r.factor && rates[r.short] > r.factor)
      return {
        alert: 'page',
        reason: `burning ${fmt(rates[r.long])}× over ${r.long} (${fmt(rates[r.short])}× over ${r.short}), above ${r.factor}×`,
      };
  }
  const t = TICKET_RULE;
  if (ticketFires(rates))
    return {
      alert: 'ticket',
      reason: `burning ${fmt(rates[t.long])}× over ${t.long} (${fmt(rates[t.short])}× over ${t.short}), above ${t.factor}×`,
    };
  return { alert: 'none' };
}

const fmt = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));

export interface SloCounts {
  /** Over the SLO's own window (e.g. 28d). */
  window: WindowCounts;
  burn: Record<BurnWindow, WindowCounts>;
}

/** page → breached; ticket → at risk; budget spent without a burn alert → breached too (the SLO is missed). */
export function statusOf(alert: BurnAlert, budget: number): SloStatus {
  if (alert === 'page' || budget <= 0) return 'breached';
  return alert === 'ticket' ? 'at_risk' : 'healthy';
}

export function evaluateSlo(def: SloDefinition, counts: SloCounts, at: Date): SloEvaluation {
  const rates = Object.fromEntries(BURN_WINDOWS.map((w) => [w, burnRate(counts.burn[w], def.target)])) as Record<
    BurnWindow,
    number
  >;
  const decision = burnAlert(rates);
  const budget = budgetRemaining(counts.window, def.target);
  return {
    slo: def.name,
    service: def.service,
    at: at.toISOString(),
    status: statusOf(decision.alert, budget),
    alert: decision.alert,
    sli: sli(counts.window) ?? 1,
    budgetRemaining: budget,
    burnRates: rates,
    reason: decision.reason,
  };
}

/** An evaluation that could not be computed: never "healthy". */
export const unknownEvaluation = (def: SloDefinition, at: Date, problem: string): SloEvaluation => ({
  slo: def.name,
  service: def.service,
  at: at.toISOString(),
  status: 'unknown',
  alert: 'none',
  problem,
});

/** Share of the budget spent between two evaluations, 0..∞ (0.38 = 38 %); never negative. */
export function budgetConsumed(before: number | undefined, after: number | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  return Math.max(0, before - after);
}

/** `0.38` → `38 %`, with one decimal under 10 %. */
export function percent(share: number): string {
  const p = share * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
}
