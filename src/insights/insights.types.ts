import type { Severity } from '../incidents/incident.types';

/** The reporting windows offered everywhere (console, API, Slack). */
export const INSIGHT_WINDOWS = ['7d', '30d', '90d'] as const;
export type InsightWindow = (typeof INSIGHT_WINDOWS)[number];
export const WINDOW_DAYS: Record<InsightWindow, number> = { '7d': 7, '30d': 30, '90d': 90 };
export const isInsightWindow = (s: string): s is InsightWindow => (INSIGHT_WINDOWS as readonly string[]).includes(s);

/** Per severity: acknowledge (first human action) and resolve within these many milliseconds. */
export type SlaTargets = Record<Severity, { ackMs: number; resolveMs: number }>;

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Defaults in the spirit of common on-call policies; `SLA_TARGETS` overrides them. */
export const DEFAULT_SLA_TARGETS: SlaTargets = {
  SEV1: { ackMs: 15 * MIN, resolveMs: 4 * HOUR },
  SEV2: { ackMs: 30 * MIN, resolveMs: 8 * HOUR },
  SEV3: { ackMs: 4 * HOUR, resolveMs: 72 * HOUR },
  SEV4: { ackMs: 24 * HOUR, resolveMs: 168 * HOUR },
};

/** Median and p90 of a set of durations (null when the set is empty). */
export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface ResponseTimes {
  /** Declaration → first human action. */
  mtta: DurationStats;
  /** Declaration → mitigated (or resolved, when it was never marked mitigated). */
  mttm: DurationStats;
  /** Declaration → resolved. */
  mttr: DurationStats;
}

export interface GroupStats extends ResponseTimes {
  incidents: number;
}

export interface WeekBucket {
  /** Monday 00:00 UTC of the ISO week. */
  weekStart: string;
  counts: Record<Severity, number>;
}

export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator / denominator, or null when there is nothing to measure. */
  rate: number | null;
}

export interface Insights {
  window: InsightWindow;
  from: string;
  to: string;
  /** Every incident of the window, private ones included (they are only counted, never broken down). */
  totals: GroupStats & { declared: number; cancelled: number; open: number; resolved: number };
  /** Private incidents the viewer may not see: in the totals, left out of every breakdown. */
  hiddenPrivate: number;
  bySeverity: Array<GroupStats & { severity: Severity }>;
  byService: Array<GroupStats & { service: string }>;
  perWeek: WeekBucket[];
  sla: Rate & { targets: SlaTargets; bySeverity: Array<Rate & { severity: Severity }> };
  postmortems: Rate;
  followUps: Rate;
  rollbacks: { count: number; requestToComplete: DurationStats; declarationToComplete: DurationStats };
}
