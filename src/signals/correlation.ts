import { DomainError } from '../shared/domain-error';
import type { IncidentStatus, Severity, SignalRef } from '../incidents/incident.types';
import { classifySeverity, evaluateRisk, type ThresholdOverrides } from './risk.evaluator';
import type { RiskLevel, RiskResult, Signal } from './signal.types';

/**
 * Which open incident a signal belongs to, if any. Rules, first match wins:
 *   0. fingerprint     — the same alert is already attached (a repeat or its resolution);
 *   1. correlation_key — the signal's correlation key is one the incident already carries;
 *   2. trace_id        — the signal's trace id is one the incident already carries;
 *   3. service_window  — same service and environment (case-insensitive), and the incident's
 *                        last signal is at most 5 minutes before `now` (exactly 5:00 still matches).
 * Only open incidents (not RESOLVED or CANCELLED) are candidates. Several matches under one rule
 * go to the incident with the most recent lastSignalAt (then the lowest incidentId, for stability).
 * With no match: autoDeclare 'breached' declares an incident for a firing BREACHED signal;
 * 'off' never declares. Everything else is 'none' (recorded, not attached).
 *
 * Rule 0 is only used when candidates list their fingerprints; it keeps a repeat sent hours later
 * (Alertmanager's repeat_interval) or a late resolution from opening a second incident.
 */

export type AutoDeclarePolicy = 'breached' | 'off';
export const SERVICE_WINDOW_MS = 5 * 60 * 1000;
const CLOSED: ReadonlySet<string> = new Set<IncidentStatus>(['RESOLVED', 'CANCELLED']);

export interface CorrelationCandidate {
  incidentId: string;
  status: IncidentStatus;
  service?: string;
  environment?: string;
  correlationKeys: string[];
  traceIds: string[];
  lastSignalAt?: string;
  /** Fingerprints of signals already attached (optional; enables rule 0). */
  fingerprints?: string[];
}

export type CorrelationDecision =
  | { kind: 'attach'; incidentId: string; by: 'fingerprint' | 'correlation_key' | 'trace_id' | 'service_window' }
  | { kind: 'declare' }
  | { kind: 'none' };

export interface CorrelationPolicy {
  autoDeclare: AutoDeclarePolicy;
  /** The signal's risk level; evaluated here (with `thresholds`) when not given. */
  risk?: RiskLevel;
  thresholds?: ThresholdOverrides;
}

function toMillis(t: Date | string, what: string): number {
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  if (Number.isNaN(ms)) throw new DomainError('invalid_input', `${what} is not a valid time: ${String(t)}`);
  return ms;
}

const lastMs = (c: CorrelationCandidate): number => (c.lastSignalAt ? Date.parse(c.lastSignalAt) : Number.NaN);
const recency = (c: CorrelationCandidate): number => {
  const ms = lastMs(c);
  return Number.isNaN(ms) ? -Infinity : ms;
};

function best(matches: CorrelationCandidate[]): CorrelationCandidate | undefined {
  return [...matches].sort((a, b) => {
    const ra = recency(a);
    const rb = recency(b);
    if (ra !== rb) return rb > ra ? 1 : -1;
    return a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0;
  })[0];
}

const same = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

export function correlate(
  signal: Signal,
  candidates: readonly CorrelationCandidate[],
  now: Date | string,
  policy: CorrelationPolicy,
): CorrelationDecision {
  const nowMs = toMillis(now, 'now');
  const open = candidates.filter((c) => !CLOSED.has(String(c.status).toUpperCase()));

  const rules: Array<[Extract<CorrelationDecision, { kind: 'attach' }>['by'], (c: CorrelationCandidate) => boolean]> = [
    ['fingerprint', (c) => c.fingerprints?.includes(signal.fingerprint) ?? false],
    ['correlation_key', (c) => signal.correlationKey !== undefined && c.correlationKeys.includes(signal.correlationKey)],
    ['trace_id', (c) => signal.traceId !== undefined && c.traceIds.includes(signal.traceId)],
    [
      'service_window',
      (c) => {
        const last = lastMs(c);
        return (
          same(c.service, signal.serviceName) &&
          same(c.environment, signal.environment) &&
          !Number.isNaN(last) &&
          nowMs - last <= SERVICE_WINDOW_MS
        );
      },
    ],
  ];
  for (const [by, matches] of rules) {
    const hit = best(open.filter(matches));
    if (hit) return { kind: 'attach', incidentId: hit.incidentId, by };
  }

  if (policy.autoDeclare === 'off' || signal.status !== 'firing') return { kind: 'none' };
  const level = policy.risk ?? evaluateRisk(signal, policy.thresholds).level;
  return level === 'BREACHED' ? { kind: 'declare' } : { kind: 'none' };
}

/**
 * Severity for an incident opened from a signal. Only an explicit page/P1/SEV1 word pages
 * (SEV1): a metric, however far past its threshold, never decides to wake people on its own.
 *   page, p1, sev1                           → SEV1
 *   BREACHED (critical/error/P2, or metrics) → SEV2
 *   AT_RISK from a warning word or a metric past its warning threshold (score ≥ 0.4) → SEV3
 *   anything else (info, none, within thresholds, CLEARED) → SEV4
 */
export function severityFromSignal(signal: Pick<Signal, 'severity' | 'status'>, risk: RiskResult | RiskLevel): Severity {
  const level = typeof risk === 'string' ? risk : risk.level;
  const score = typeof risk === 'string' ? undefined : risk.score;
  if (signal.status === 'resolved' || level === 'CLEARED') return 'SEV4';
  const cls = classifySeverity(signal.severity);
  if (cls === 'page') return 'SEV1';
  if (level === 'BREACHED') return 'SEV2';
  if (cls === 'warning' || cls === 'critical' || (score !== undefined && score >= 0.4)) return 'SEV3';
  return 'SEV4';
}

/** The subset of a signal that SIGNAL_ATTACHED carries; `signalId` is assigned by whoever stores it. */
export function toSignalRef(signal: Signal, risk: RiskResult | RiskLevel, signalId: string): SignalRef {
  const ref: SignalRef = {
    signalId,
    fingerprint: signal.fingerprint,
    service: signal.serviceName,
    environment: signal.environment,
    title: signal.title,
    risk: typeof risk === 'string' ? risk : risk.level,
    status: signal.status,
    source: signal.source,
  };
  if (signal.correlationKey) ref.correlationKey = signal.correlationKey;
  if (signal.traceId) ref.traceId = signal.traceId;
  return ref;
}
