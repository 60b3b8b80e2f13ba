/*
 * SLOs read from OpenSLO v1 files (`SLOS_PATH`) and what an evaluation against Prometheus computes.
 * Pure types: the parser, the burn-rate maths and the health grid share them.
 */

/** A ratio SLI: good/total (or bad/total) Prometheus queries. */
export interface RatioIndicator {
  /** Which event the numerator counts. */
  numerator: 'good' | 'bad';
  numeratorQuery: string;
  totalQuery: string;
  /**
   * OpenSLO `counter`: without a `{{.window}}` placeholder the queries are cumulative counters, and the
   * count over a window is the value at the end minus the value at its start (two instant queries).
   */
  counter: boolean;
}

export interface SloDefinition {
  /** `metadata.name`: unique across SLOS_PATH; part of the signal fingerprint. */
  name: string;
  displayName?: string;
  description?: string;
  /** `spec.service`: the service the signals are raised on (a catalog component name). */
  service: string;
  /** `revenant/environment` annotation, default `production`. */
  environment: string;
  /** `revenant/org` annotation: the workspace it belongs to (else the home/default org). */
  orgId?: string;
  /** 0 < target < 1, e.g. 0.999. */
  target: number;
  /** Rolling window length in ms, and as written (`28d`). */
  windowMs: number;
  windowLabel: string;
  indicator: RatioIndicator;
  /** The file it came from, relative to SLOS_PATH. */
  file: string;
}

export interface SloProblem {
  file: string;
  /** `metadata.name` of the document when known. */
  name?: string;
  message: string;
}

/** Windows the Google SRE Workbook's multi-window, multi-burn-rate alerts look at. */
export const BURN_WINDOWS = ['5m', '30m', '1h', '6h', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];
export const BURN_WINDOW_MS: Record<BurnWindow, number> = {
  '5m': 5 * 60_000,
  '30m': 30 * 60_000,
  '1h': 60 * 60_000,
  '6h': 6 * 60 * 60_000,
  '3d': 3 * 24 * 60 * 60_000,
};

/** Good and total events counted over one window (bad = total − good). */
export interface WindowCounts {
  good: number;
  total: number;
}

export type SloStatus = 'healthy' | 'at_risk' | 'breached' | 'unknown';
export type BurnAlert = 'page' | 'ticket' | 'none';

/** One evaluation's numbers; `unknown` ones carry only the problem. */
export interface SloEvaluation {
  slo: string;
  service: string;
  at: string;
  status: SloStatus;
  alert: BurnAlert;
  /** SLI over the SLO window, 0..1. */
  sli?: number;
  /** Share of the window's error budget left (1 = untouched, 0 = spent, negative = overspent). */
  budgetRemaining?: number;
  burnRates?: Partial<Record<BurnWindow, number>>;
  /** Which rule fired, in words ("14.4× over 1h and 5m"). */
  reason?: string;
  /** Why the evaluation is unknown (Prometheus down, empty result…). */
  problem?: string;
}

/** The SLOs in force and what is wrong with the files (slo-files.ts reads them). */
export interface SloSet {
  slos: SloDefinition[];
  problems: SloProblem[];
  loadedAt?: string;
}
