import { DomainError } from '../shared/domain-error';
import type { LogLevel, RiskLevel, RiskResult, Signal, SignalMetrics } from './signal.types';

/**
 * Risk of one signal, from its metrics when it has any, otherwise from its severity word.
 *
 * Levels per metric (reaching a "higher is worse" threshold counts as crossing it; availability
 * must fall strictly *below* its threshold):
 *   error rate    ≥ warning → AT_RISK, ≥ critical → BREACHED   (defaults 1 %, 5 %)
 *   latency       ≥ warning → AT_RISK, ≥ critical → BREACHED   (defaults 500 ms, 1000 ms)
 *   availability  < warning → AT_RISK, < critical → BREACHED   (defaults 99 %, 95 %)
 * The signal takes its worst metric. A signal whose metrics are all within thresholds is CLEARED
 * (score at most 0.3, reason "every metric is within thresholds") even when the sender marks it
 * firing: the numbers it carries say the service is fine. Only a signal without metrics falls back
 * to its severity word.
 *
 * Score per metric, with w = warning, c = critical, v = value, in three bands:
 *   within     0.3 · v / w                              (availability: 0.3 · (1 − v) / (1 − w))
 *   warning    0.4 + 0.3 · (v − w) / (c − w)             (availability: 0.4 + 0.3 · (w − v) / (w − c))
 *   critical   0.7 + 0.3 · (1 − e^(−(v − c) / (c − w)))  (availability: 0.7 + 0.3 · (1 − e^(−(c − v) / (w − c))))
 * so the score never decreases as a metric gets worse, every breach outranks every warning, and
 * it approaches 1.0 asymptotically. The signal's score is its worst metric's, rounded to 3 places.
 *
 * Without metrics the severity word decides (case-insensitive, "SEV-1"/"sev1" alike):
 *   page, p1, sev1            → BREACHED 0.9
 *   critical, error, p2, sev2 → BREACHED 0.8
 *   warning, p3, sev3         → AT_RISK 0.5
 *   p4, p5, low, sev4         → AT_RISK 0.2
 *   info, none, absent, other → AT_RISK 0.1
 * A resolved signal is CLEARED with score 0, whatever it carries.
 */

export interface MetricThreshold {
  warning: number;
  critical: number;
}

/** Ratios are 0..1 (errorRate 0.05 = 5 %); latency is in milliseconds. */
export interface RiskThresholds {
  errorRate: MetricThreshold;
  latencyMs: MetricThreshold;
  availability: MetricThreshold;
}

/** Per-service overrides: any subset, merged over the defaults. */
export type ThresholdOverrides = { [K in keyof RiskThresholds]?: Partial<MetricThreshold> };

export const DEFAULT_THRESHOLDS: Readonly<RiskThresholds> = Object.freeze({
  errorRate: { warning: 0.01, critical: 0.05 },
  latencyMs: { warning: 500, critical: 1000 },
  availability: { warning: 0.99, critical: 0.95 },
});

const LOG_LINES_KEPT = 5;

/** Merges overrides over the defaults and rejects inconsistent ones (e.g. warning above critical). */
export function resolveThresholds(overrides?: ThresholdOverrides): RiskThresholds {
  const t: RiskThresholds = {
    errorRate: { ...DEFAULT_THRESHOLDS.errorRate, ...overrides?.errorRate },
    latencyMs: { ...DEFAULT_THRESHOLDS.latencyMs, ...overrides?.latencyMs },
    availability: { ...DEFAULT_THRESHOLDS.availability, ...overrides?.availability },
  };
  const problems: string[] = [];
  const finite = (name: string, m: MetricThreshold, max: number): boolean => {
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
        problems.push(`${name}.${k}: must be a number between 0 and ${max}`);
        return false;
      }
    }
    return true;
  };
  if (finite('errorRate', t.errorRate, 1) && t.errorRate.warning > t.errorRate.critical) {
    problems.push('errorRate: warning must not exceed critical');
  }
  if (finite('latencyMs', t.latencyMs, Number.MAX_SAFE_INTEGER) && t.latencyMs.warning > t.latencyMs.critical) {
    problems.push('latencyMs: warning must not exceed critical');
  }
  if (finite('availability', t.availability, 1) && t.availability.warning < t.availability.critical) {
    problems.push('availability: warning must not be below critical');
  }
  if (problems.length) throw new DomainError('invalid_input', `risk thresholds are invalid: ${problems.join('; ')}`);
  return t;
}

/** Picks a signal's overrides from a per-service table; '*' applies to services not listed. */
export function thresholdsFor(
  signal: Pick<Signal, 'serviceName'>,
  byService: Record<string, ThresholdOverrides> | undefined,
): ThresholdOverrides | undefined {
  return byService?.[signal.serviceName] ?? byService?.['*'];
}

export type SeverityClass = 'page' | 'critical' | 'warning' | 'low' | 'info' | 'none' | 'unknown';

const SEVERITY_CLASSES: Record<string, SeverityClass> = {
  page: 'page', p1: 'page', sev1: 'page',
  critical: 'critical', crit: 'critical', error: 'critical', p2: 'critical', sev2: 'critical',
  warning: 'warning', warn: 'warning', p3: 'warning', sev3: 'warning',
  p4: 'low', p5: 'low', low: 'low', sev4: 'low',
  info: 'info', informational: 'info', none: 'none',
};

/** Case- and punctuation-insensitive: "P1", "SEV-1", "sev_1" all classify. */
export function classifySeverity(severity: string | undefined): SeverityClass {
  if (severity === undefined || severity.trim() === '') return 'none';
  return SEVERITY_CLASSES[severity.toLowerCase().replace(/[^a-z0-9]/g, '')] ?? 'unknown';
}

/** Log level for a line describing an alert of this severity. */
export function logLevelForSeverity(severity: string | undefined): LogLevel {
  const cls = classifySeverity(severity);
  if (cls === 'page' || cls === 'critical') return 'error';
  return cls === 'warning' ? 'warn' : 'info';
}

const SEVERITY_RISK: Record<SeverityClass, { level: RiskLevel; score: number }> = {
  page: { level: 'BREACHED', score: 0.9 },
  critical: { level: 'BREACHED', score: 0.8 },
  warning: { level: 'AT_RISK', score: 0.5 },
  low: { level: 'AT_RISK', score: 0.2 },
  info: { level: 'AT_RISK', score: 0.1 },
  none: { level: 'AT_RISK', score: 0.1 },
  unknown: { level: 'AT_RISK', score: 0.1 },
};

type Band = 'within' | 'AT_RISK' | 'BREACHED';
interface Assessment {
  band: Band;
  score: number;
  reason: string;
}

const pct = (ratio: number): string => `${Number((ratio * 100).toFixed(3))}%`;
const ms = (v: number): string => `${Number(v.toFixed(1))} ms`;

/** Error rate and latency: bigger is worse; reaching a threshold crosses it. */
function higherIsWorse(name: string, v: number, t: MetricThreshold, fmt: (n: number) => string): Assessment {
  const { warning: w, critical: c } = t;
  const span = c - w || c || 1;
  if (v >= c) {
    return { band: 'BREACHED', score: 0.7 + 0.3 * (1 - Math.exp(-(v - c) / span)), reason: `${name} ${fmt(v)} ≥ critical ${fmt(c)}` };
  }
  if (v >= w) {
    return { band: 'AT_RISK', score: 0.4 + 0.3 * ((v - w) / span), reason: `${name} ${fmt(v)} ≥ warning ${fmt(w)}` };
  }
  return { band: 'within', score: w > 0 ? 0.3 * (v / w) : 0, reason: `${name} ${fmt(v)} within threshold (warning at ${fmt(w)})` };
}

/** Availability: smaller is worse; it must fall strictly below a threshold to cross it. */
function lowerIsWorse(name: string, v: number, t: MetricThreshold): Assessment {
  const { warning: w, critical: c } = t;
  const span = w - c || 1 - c || 1;
  if (v < c) {
    return { band: 'BREACHED', score: 0.7 + 0.3 * (1 - Math.exp(-(c - v) / span)), reason: `${name} ${pct(v)} < critical ${pct(c)}` };
  }
  if (v < w) {
    return { band: 'AT_RISK', score: 0.4 + 0.3 * ((w - v) / span), reason: `${name} ${pct(v)} < warning ${pct(w)}` };
  }
  const score = w < 1 ? Math.min(0.3, 0.3 * ((1 - v) / (1 - w))) : 0;
  return { band: 'within', score, reason: `${name} ${pct(v)} within threshold (warning below ${pct(w)})` };
}

function assessMetrics(m: SignalMetrics, t: RiskThresholds): Assessment[] {
  const out: Assessment[] = [];
  if (m.errorRate !== undefined) out.push(higherIsWorse('error rate', m.errorRate, t.errorRate, pct));
  if (m.latencyMs !== undefined) out.push(higherIsWorse('latency', m.latencyMs, t.latencyMs, ms));
  if (m.availability !== undefined) out.push(lowerIsWorse('availability', m.availability, t.availability));
  return out;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const BAND_RANK: Record<Band, number> = { within: 0, AT_RISK: 1, BREACHED: 2 };

export function evaluateRisk(signal: Signal, thresholds?: ThresholdOverrides): RiskResult {
  const logs = (signal.logs ?? []).slice(0, LOG_LINES_KEPT);
  const t = resolveThresholds(thresholds);
  if (signal.status === 'resolved') return { level: 'CLEARED', score: 0, logs, reasons: ['resolved'] };

  const assessed = assessMetrics(signal.metrics ?? {}, t).sort(
    (a, b) => BAND_RANK[b.band] - BAND_RANK[a.band] || b.score - a.score,
  );
  const worst = assessed[0];
  if (worst) {
    const reasons = assessed.map((a) => a.reason);
    if (worst.band === 'within') {
      return { level: 'CLEARED', score: round3(worst.score), logs, reasons: ['firing, but every metric is within thresholds', ...reasons] };
    }
    return { level: worst.band, score: round3(worst.score), logs, reasons };
  }

  const cls = classifySeverity(signal.severity);
  const { level, score } = SEVERITY_RISK[cls];
  const reason =
    cls === 'none'
      ? 'no metrics and no severity: low-confidence risk'
      : cls === 'unknown'
        ? `no metrics; unrecognised severity "${signal.severity}" treated as info`
        : `no metrics; severity "${signal.severity}"`;
  return { level, score, logs, reasons: [reason] };
}
