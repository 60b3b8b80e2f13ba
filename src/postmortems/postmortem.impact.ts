import { type IncidentEvent, type IncidentState, SEVERITIES, type Severity } from '../incidents/incident.types';

/** Facts for the Impact section, all derived from the log so a rebuild gives the same numbers. */
export interface IncidentImpact {
  startedAt: string;
  /** Whether the clock starts at the first alert (earlier than the declaration) or at the declaration. */
  startedBy: 'signal' | 'declaration';
  mitigatedAt?: string;
  resolvedAt?: string;
  cancelledAt?: string;
  /** Milliseconds from start; undefined while it has not happened. */
  toMitigate?: number;
  toResolve?: number;
  declaredSeverity: Severity;
  peakSeverity: Severity;
  services: string[];
  environments: string[];
  alertCount: number;
}

const ms = (iso: string) => new Date(iso).getTime();
const mostSevere = (a: Severity, b: Severity): Severity => (SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b);
const uniq = (xs: Array<string | undefined>) => [...new Set(xs.filter((x): x is string => !!x))];

export function computeImpact(incident: IncidentState, events: IncidentEvent[]): IncidentImpact {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const created = ordered.find((e) => e.type === 'INCIDENT_CREATED');
  const declaredAt = created?.occurredAt ?? incident.createdAt;
  const firstSignal = ordered.find((e) => e.type === 'SIGNAL_ATTACHED');
  const startedBy = firstSignal && ms(firstSignal.occurredAt) < ms(declaredAt) ? 'signal' : 'declaration';
  const startedAt = startedBy === 'signal' && firstSignal ? firstSignal.occurredAt : declaredAt;

  let mitigatedAt: string | undefined;
  let resolvedAt: string | undefined;
  let declaredSeverity: Severity = created?.type === 'INCIDENT_CREATED' ? created.severity : incident.severity;
  let peakSeverity = declaredSeverity;
  const services: Array<string | undefined> = [incident.service];
  const environments: Array<string | undefined> = [incident.environment];
  const fingerprints = new Set<string>();

  for (const e of ordered) {
    if (e.type === 'INCIDENT_CREATED') {
      declaredSeverity = e.severity;
      peakSeverity = mostSevere(peakSeverity, e.severity);
    } else if (e.type === 'SEVERITY_UPDATED') {
      peakSeverity = mostSevere(peakSeverity, e.to);
    } else if (e.type === 'SIGNAL_ATTACHED') {
      services.push(e.signal.service);
      environments.push(e.signal.environment);
      fingerprints.add(e.signal.fingerprint);
    } else if (e.type === 'STATUS_CHANGED') {
      // The first mitigation is what users felt; a later regression does not move it.
      if (e.to === 'MITIGATED' && !mitigatedAt) mitigatedAt = e.occurredAt;
      if (e.to === 'RESOLVED') resolvedAt = e.occurredAt;
      if (e.from === 'RESOLVED') resolvedAt = undefined; // reopened
    }
  }
  if (!events.length) {
    mitigatedAt = incident.mitigatedAt;
    resolvedAt = incident.resolvedAt;
  }
  // Resolving without a separate mitigation step means the fix was also the mitigation.
  if (!mitigatedAt && resolvedAt) mitigatedAt = resolvedAt;

  const since = (at?: string) => (at ? Math.max(0, ms(at) - ms(startedAt)) : undefined);
  return {
    startedAt,
    startedBy,
    mitigatedAt,
    resolvedAt,
    cancelledAt: incident.cancelledAt,
    toMitigate: since(mitigatedAt),
    toResolve: since(resolvedAt),
    declaredSeverity,
    peakSeverity: mostSevere(peakSeverity, incident.severity),
    services: uniq(services),
    environments: uniq(environments),
    alertCount: fingerprints.size || incident.signals.length,
  };
}

/** `65 min` → `1h 05m`; under a minute in seconds; days when it ran that long. */
export function formatDuration(millis: number): string {
  const totalSec = Math.max(0, Math.floor(millis / 1000));
  if (totalSec < 60) return `${totalSec}s`;
  const totalMin = Math.floor(totalSec / 60);
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  const mm = String(m).padStart(2, '0');
  if (d > 0) return `${d}d ${h}h ${mm}m`;
  if (h > 0) return `${h}h ${mm}m`;
  return `${m}m`;
}

/** An SLO breached during the incident (the SLOViolation read model, with the budget it burned). */
export interface SloImpact {
  slo: string;
  startedAt: string;
  endedAt?: string;
  /** 0.38 = 38 % of the window's error budget. */
  budgetBurned?: number;
  window?: string;
}

/** "**SLO checkout-availability:** breached 10:12–11:02 UTC (50m), consumed 38 % of the 28-day error budget". */
export function sloImpactLines(violations: readonly SloImpact[], fmt: (iso: string) => string): string[] {
  return violations.map((v) => {
    const span = v.endedAt
      ? `breached from ${fmt(v.startedAt)} to ${fmt(v.endedAt)} (${formatDuration(ms(v.endedAt) - ms(v.startedAt))})`
      : `breached since ${fmt(v.startedAt)} (still burning when drafted)`;
    const days = v.window && /^(\d+)d$/.exec(v.window)?.[1];
    const window = days ? `${days}-day` : (v.window ?? 'SLO window');
    const p = v.budgetBurned !== undefined ? v.budgetBurned * 100 : undefined;
    const burned =
      p !== undefined ? `, consumed ${p > 0 && p < 10 ? p.toFixed(1) : Math.round(p)} % of the ${window} error budget` : '';
    return `- **SLO ${v.slo}:** ${span}${burned}`;
  });
}
