import type { CorrelationEvidence } from '../incidents/correlation.types';
import type { Severity } from '../incidents/incident.types';
import {
  type AutoDeclarePolicy,
  type CorrelationCandidate,
  correlate,
  severityFromSignal,
  type TopologyPolicy,
} from '../signals/correlation';
import { classifySeverity } from '../signals/risk.evaluator';
import type { RiskResult, Signal } from '../signals/signal.types';
import type { CatalogService } from './catalog.service';
import type { AppDeps } from './deps';

/*
 * One alert's fate (attach / declare / none) with its reason, shared by ingestion (which then writes it)
 * and `revenant correlate` (which only prints it). Correlation itself is pure (src/signals/correlation.ts);
 * this adds what needs the app: the catalog's graph and tiers, and the auto-declare cap's storm incident.
 */

export interface DeclareBudget {
  left: number;
  stormId: string | undefined;
}

export interface PlanSettings {
  autoDeclare: AutoDeclarePolicy;
  topology?: TopologyPolicy;
  catalog?: CatalogService;
  cap: { count: number; windowMs: number };
}

export type SignalPlan =
  | { kind: 'attach'; incidentId: string; correlation: CorrelationEvidence }
  | { kind: 'declare'; storm: boolean; severity: Severity; correlation: CorrelationEvidence }
  | { kind: 'none'; reason: string };

type Deps = Pick<AppDeps, 'config'> & Partial<Pick<AppDeps, 'catalog'>>;

/** CORRELATION_TOPOLOGY with the catalog's graph, or undefined (off, or no catalog wired). */
export function topologyPolicy(deps: Deps): TopologyPolicy | undefined {
  const t = deps.config.correlationTopology;
  if (!t?.enabled || !deps.catalog) return undefined;
  return { graph: deps.catalog.graph(), depth: t.depth };
}

/** For loadCandidates: is an incident's service within `depth` hops of any service in the batch? */
export function connectedTo(
  topology: TopologyPolicy | undefined,
  catalog: CatalogService | undefined,
  signals: readonly Signal[],
) {
  if (!topology || !catalog) return undefined;
  const services = [...new Set(signals.map((s) => s.serviceName.toLowerCase()))];
  const memo = new Map<string, boolean>();
  return (incidentService: string) => {
    const key = incidentService.toLowerCase();
    let hit = memo.get(key);
    if (hit === undefined) {
      hit = services.some((s) => catalog.dependencyPath(s, key, topology.depth) !== undefined);
      memo.set(key, hit);
    }
    return hit;
  };
}

/**
 * Severity of an incident opened from an alert. A catalog tier (`revenant/tier` 1–4 → SEV1–SEV4) sets the
 * default; a sender's explicit page/P1/SEV1 still pages. Without a tier: severityFromSignal.
 */
export function autoDeclareSeverity(signal: Signal, risk: RiskResult, tier: number | undefined): Severity {
  if (tier === undefined) return severityFromSignal(signal, risk);
  if (classifySeverity(signal.severity) === 'page') return 'SEV1';
  return `SEV${tier}` as Severity;
}

/** Storm explanations kept, one per distinct content; cleared when full (they are only shared, never needed). */
const STORM_EVIDENCE_KEPT = 1000;
const stormEvidences = new Map<string, CorrelationEvidence>();

/**
 * Why an alert joined the storm incident: the same for every alert of a service, so one frozen object is
 * shared by all of them. The storm incident's state keeps one explanation per alert (tens of thousands in a
 * storm): ~300 bytes each when every alert had its own copy.
 */
function stormEvidence(c: CorrelationEvidence, reason: string): CorrelationEvidence {
  const key = JSON.stringify([c, reason]);
  let e = stormEvidences.get(key);
  if (!e) {
    if (stormEvidences.size >= STORM_EVIDENCE_KEPT) stormEvidences.clear();
    e = deepFreeze({ ...c, rule: 'storm', reason });
    stormEvidences.set(key, e);
  }
  return e;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') for (const v of Object.values(o)) deepFreeze(v);
  return Object.freeze(o);
}

export async function planSignal(
  settings: PlanSettings,
  signal: Signal,
  risk: RiskResult,
  candidates: readonly CorrelationCandidate[],
  now: Date,
  budget: () => Promise<DeclareBudget>,
): Promise<SignalPlan> {
  const decision = correlate(signal, candidates, now, {
    autoDeclare: settings.autoDeclare,
    risk: risk.level,
    riskReasons: risk.reasons,
    topology: settings.topology,
  });
  if (decision.kind === 'attach')
    return { kind: 'attach', incidentId: decision.incidentId, correlation: decision.correlation };
  if (decision.kind === 'none') return decision;
  const b = await budget();
  const { count, windowMs } = settings.cap;
  const stormReason = `more than ${count} incidents were opened by alerts within ${windowMs / 60_000} minutes (AUTO_DECLARE_LIMIT)`;
  const storm = stormEvidence(decision.correlation, stormReason);
  if (b.left <= 0 && b.stormId) return { kind: 'attach', incidentId: b.stormId, correlation: storm };
  if (b.left <= 0)
    return { kind: 'declare', storm: true, severity: severityFromSignal(signal, risk), correlation: storm };
  const tier = settings.catalog?.serviceInfo(signal.serviceName)?.tier;
  const correlation =
    tier === undefined
      ? decision.correlation
      : { ...decision.correlation, evidence: { ...decision.correlation.evidence, tier } };
  return { kind: 'declare', storm: false, severity: autoDeclareSeverity(signal, risk, tier), correlation };
}

/** Later alerts of the batch correlate against what this one just did. */
export function rememberJoin(c: CorrelationCandidate | undefined, signal: Signal, now: Date): void {
  if (!c) return;
  (c.fingerprints ??= []).push(signal.fingerprint);
  if (signal.correlationKey) c.correlationKeys.push(signal.correlationKey);
  if (signal.traceId) c.traceIds.push(signal.traceId);
  c.lastSignalAt = now.toISOString();
}

/** The candidate an incident just opened from an alert becomes (a storm incident has no service). */
export function declaredCandidate(incidentId: string, signal: Signal, storm: boolean): CorrelationCandidate {
  return {
    incidentId,
    status: 'OPEN',
    service: storm ? undefined : signal.serviceName,
    environment: storm ? undefined : signal.environment,
    correlationKeys: [],
    traceIds: [],
    fingerprints: [],
  };
}
