import { DomainError } from '../shared/domain-error';
import { type DependencyGraph, dependencyPath } from '../catalog/catalog.graph';
import type { CorrelationEvidence } from '../incidents/correlation.types';
import type { IncidentStatus, Severity, SignalRef } from '../incidents/incident.types';
import { classifySeverity, evaluateRisk, type ThresholdOverrides } from './risk.evaluator';
import type { RiskLevel, RiskResult, Signal } from './signal.types';

/**
 * Which open incident a signal belongs to, if any. Rules, first match wins:
 *   0. fingerprint     — the same alert is already attached (a repeat or its resolution);
 *   1. correlation_key — the signal's correlation key is one the incident already carries;
 *   2. trace_id        — the signal's trace id is one the incident already carries;
 *   3. service_window  — same service and environment (case-insensitive), and the incident's
 *                        last signal is at most 5 minutes before `now` (exactly 5:00 still matches);
 *   4. topology        — (with `policy.topology`) the signal's service depends on, or is depended on by, the
 *                        incident's service within `depth` hops of the catalog, same environment (when both
 *                        say), and the incident was active (last signal, else last change) within the window.
 *                        The shortest dependency path wins, then recency.
 * Only open incidents (not RESOLVED or CANCELLED) are candidates. Several matches under one rule
 * go to the incident with the most recent lastSignalAt (then the lowest incidentId, for stability).
 * With no match: autoDeclare 'breached' declares an incident for a firing BREACHED signal;
 * 'off' never declares. Everything else is 'none' (recorded, not attached).
 * Every decision says why (`correlation` for attach/declare, `reason` for none): the rule and its evidence.
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
  /** The incident's last change of any kind (declared, updated); topology falls back to it without signals. */
  updatedAt?: string;
  /** Fingerprints of signals already attached (optional; enables rule 0). */
  fingerprints?: string[];
}

export type AttachRule = 'fingerprint' | 'correlation_key' | 'trace_id' | 'service_window' | 'topology';

export type CorrelationDecision =
  | { kind: 'attach'; incidentId: string; by: AttachRule; correlation: CorrelationEvidence }
  | { kind: 'declare'; correlation: CorrelationEvidence }
  | { kind: 'none'; reason: string };

export interface TopologyPolicy {
  graph: DependencyGraph;
  /** Hops to follow (CORRELATION_TOPOLOGY_DEPTH, default 1). */
  depth: number;
  /** How recently the incident must have been active; defaults to SERVICE_WINDOW_MS. */
  windowMs?: number;
}

export interface CorrelationPolicy {
  autoDeclare: AutoDeclarePolicy;
  /** The signal's risk level; evaluated here (with `thresholds`) when not given. */
  risk?: RiskLevel;
  /** Reasons for the risk level, recorded on an auto-declare (evaluated here when `risk` is not given). */
  riskReasons?: string[];
  thresholds?: ThresholdOverrides;
  /** The catalog's dependency graph; absent (or CORRELATION_TOPOLOGY=off) = no topology rule. */
  topology?: TopologyPolicy;
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
const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** Topology: the nearest connected open incident active within the window, with its dependency path. */
function byTopology(signal: Signal, open: readonly CorrelationCandidate[], nowMs: number, t: TopologyPolicy) {
  const windowMs = t.windowMs ?? SERVICE_WINDOW_MS;
  // A service on no dependency edge joins nothing by topology (and a storm of them costs no walks).
  if (!t.graph.nodes.has(signal.serviceName.trim().toLowerCase())) return undefined;
  const hits: Array<{ c: CorrelationCandidate; path: NonNullable<ReturnType<typeof dependencyPath>>; since: number }> = [];
  for (const c of open) {
    if (!c.service) continue;
    if (c.environment && !same(c.environment, signal.environment)) continue;
    const active = Number.isNaN(lastMs(c)) ? (c.updatedAt ? Date.parse(c.updatedAt) : Number.NaN) : lastMs(c);
    if (Number.isNaN(active) || nowMs - active > windowMs) continue;
    const path = dependencyPath(t.graph, signal.serviceName, c.service, t.depth);
    if (path) hits.push({ c, path, since: Math.max(0, nowMs - active) });
  }
  const nearest = Math.min(...hits.map((h) => h.path.path.length));
  const chosen = best(hits.filter((h) => h.path.path.length === nearest).map((h) => h.c));
  const hit = hits.find((h) => h.c === chosen);
  if (!hit) return undefined;
  const correlation: CorrelationEvidence = {
    rule: 'topology',
    reason: hit.path.reason,
    evidence: {
      service: signal.serviceName,
      environment: signal.environment,
      incidentService: hit.c.service,
      path: hit.path.path,
      depth: t.depth,
      windowMs,
      sinceLastActivityMs: hit.since,
    },
  };
  return { incidentId: hit.c.incidentId, correlation };
}

export function correlate(
  signal: Signal,
  candidates: readonly CorrelationCandidate[],
  now: Date | string,
  policy: CorrelationPolicy,
): CorrelationDecision {
  const nowMs = toMillis(now, 'now');
  const open = candidates.filter((c) => !CLOSED.has(String(c.status).toUpperCase()));

  const rules: Array<[Exclude<AttachRule, 'topology'>, (c: CorrelationCandidate) => boolean, (c: CorrelationCandidate) => CorrelationEvidence]> = [
    [
      'fingerprint',
      (c) => c.fingerprints?.includes(signal.fingerprint) ?? false,
      () => ({ rule: 'fingerprint', reason: 'the same alert is already attached', evidence: { fingerprint: signal.fingerprint } }),
    ],
    [
      'correlation_key',
      (c) => signal.correlationKey !== undefined && c.correlationKeys.includes(signal.correlationKey),
      () => ({
        rule: 'correlation_key',
        reason: `same correlation key "${short(signal.correlationKey!)}"`,
        evidence: { correlationKey: signal.correlationKey },
      }),
    ],
    [
      'trace_id',
      (c) => signal.traceId !== undefined && c.traceIds.includes(signal.traceId),
      () => ({ rule: 'trace_id', reason: `same trace id ${short(signal.traceId!)}`, evidence: { traceId: signal.traceId } }),
    ],
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
      (c) => ({
        rule: 'service_window',
        reason: `same service ${signal.serviceName} (${signal.environment}), last signal ${minutes(Math.max(0, nowMs - lastMs(c)))} ago`,
        evidence: {
          service: signal.serviceName,
          environment: signal.environment,
          incidentService: c.service,
          windowMs: SERVICE_WINDOW_MS,
          sinceLastActivityMs: Math.max(0, nowMs - lastMs(c)),
        },
      }),
    ],
  ];
  for (const [by, matches, explain] of rules) {
    const hit = best(open.filter(matches));
    if (hit) return { kind: 'attach', incidentId: hit.incidentId, by, correlation: explain(hit) };
  }
  if (policy.topology && policy.topology.depth > 0) {
    const hit = byTopology(signal, open, nowMs, policy.topology);
    if (hit) return { kind: 'attach', incidentId: hit.incidentId, by: 'topology', correlation: hit.correlation };
  }

  if (policy.autoDeclare === 'off') return { kind: 'none', reason: 'no open incident matches and AUTO_DECLARE is off' };
  if (signal.status !== 'firing') return { kind: 'none', reason: 'resolved, and no open incident carries it' };
  const risk = policy.risk ? { level: policy.risk, reasons: policy.riskReasons ?? [] } : evaluateRisk(signal, policy.thresholds);
  if (risk.level !== 'BREACHED') {
    return { kind: 'none', reason: `${risk.level}, not BREACHED: kept on the watchlist, no incident opened` };
  }
  return {
    kind: 'declare',
    correlation: {
      rule: 'auto_declare',
      reason: `no open incident matches; BREACHED${risk.reasons.length ? `: ${risk.reasons.join('; ')}` : ''}`,
      evidence: { service: signal.serviceName, environment: signal.environment, risk: risk.level, reasons: risk.reasons },
    },
  };
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
export function toSignalRef(
  signal: Signal,
  risk: RiskResult | RiskLevel,
  signalId: string,
  correlation?: CorrelationEvidence,
): SignalRef {
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
  if (correlation) ref.correlation = correlation;
  return ref;
}
