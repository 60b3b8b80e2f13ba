import { evolve } from '../incidents/incident.decider';
import { canSeeIncident } from '../incidents/incident.permissions';
import {
  type Actor,
  type IncidentEvent,
  type IncidentState,
  SEVERITIES,
  type Severity,
  initialState,
} from '../incidents/incident.types';
import {
  type DurationStats,
  type GroupStats,
  type Insights,
  type InsightWindow,
  type Rate,
  type SlaTargets,
  type WeekBucket,
  WINDOW_DAYS,
} from './insights.types';

/**
 * The insights numbers, from the event log alone (definitions in docs/insights.md). Pure: the caller
 * loads the window's incidents and their events and says who is looking and when "now" is.
 */

const DAY = 86_400_000;
/** Actors that are the bot itself or automation: their events are no human acknowledgement. */
const MACHINE_ACTORS = new Set(['revenant', 'cli', 'system']);
const MACHINE_PREFIXES = ['connector:', 'token:'];
/** Bookkeeping the bot records on its own behalf; never an acknowledgement whoever is stamped on it. */
const BOOKKEEPING = new Set<string>(['CHANNEL_LINKED', 'SUMMARY_POSTED', 'SIGNAL_ATTACHED', 'SIGNAL_RESOLVED']);

export const isHumanActor = (actor: string): boolean =>
  actor !== '' && !MACHINE_ACTORS.has(actor) && !MACHINE_PREFIXES.some((p) => actor.startsWith(p));

/** One incident reduced to the instants the metrics need. */
export interface IncidentFacts {
  state: IncidentState;
  createdAt: number;
  ackAt?: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  /** Completed rollbacks (rollback.decider.ts): when asked for and when the target version was live. */
  rollbacks: Array<{ requestedAt: number; completedAt: number }>;
}

/** Folds one incident's log (in seq order) with the real `evolve` and notes the first human action etc. */
export function incidentFacts(events: readonly IncidentEvent[]): IncidentFacts | undefined {
  const created = events.find((e) => e.type === 'INCIDENT_CREATED');
  if (!created) return undefined;
  let state = initialState(created.incidentId, created.orgId);
  let ackAt: number | undefined;
  let mitigatedAt: number | undefined;
  for (const e of events) {
    state = evolve(state, e);
    const at = Date.parse(e.occurredAt);
    if (e.seq > created.seq && ackAt === undefined && isHumanActor(e.actor) && !BOOKKEEPING.has(e.type)) ackAt = at;
    // A resolution without a "mitigated" step mitigated it too.
    if (e.type === 'STATUS_CHANGED' && (e.to === 'MITIGATED' || e.to === 'RESOLVED')) mitigatedAt ??= at;
  }
  const rollbacks = (state.rollbacks ?? [])
    .filter((r) => r.status === 'completed' && r.finishedAt !== undefined)
    .map((r) => ({ requestedAt: Date.parse(r.requestedAt), completedAt: Date.parse(r.finishedAt!) }));
  const resolvedAt = state.status === 'RESOLVED' && state.resolvedAt ? Date.parse(state.resolvedAt) : undefined;
  return { state, createdAt: Date.parse(created.occurredAt), ackAt, mitigatedAt, resolvedAt, rollbacks };
}

/** Conventional median (mean of the two middle values for an even count); p90 by nearest rank. */
export function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) return { count: 0, medianMs: null, p90Ms: null };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const medianMs = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { count: s.length, medianMs, p90Ms: s[Math.ceil(0.9 * s.length) - 1] };
}

const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  rate: denominator === 0 ? null : numerator / denominator,
});

const since = (f: IncidentFacts, at: number | undefined) => (at === undefined ? [] : [at - f.createdAt]);

function group(list: readonly IncidentFacts[]): GroupStats {
  return {
    incidents: list.length,
    mtta: durationStats(list.flatMap((f) => since(f, f.ackAt))),
    mttm: durationStats(list.flatMap((f) => since(f, f.mitigatedAt))),
    mttr: durationStats(list.flatMap((f) => since(f, f.resolvedAt))),
  };
}

/** Acknowledged or resolved too late, or not yet and already past the target at `now`. */
export function breachesSla(f: IncidentFacts, targets: SlaTargets, now: number): boolean {
  const t = targets[f.state.severity];
  const ack = (f.ackAt ?? now) - f.createdAt;
  const resolve = (f.resolvedAt ?? now) - f.createdAt;
  return ack > t.ackMs || resolve > t.resolveMs;
}

/** Monday 00:00 UTC of the week holding `ms`. */
export function weekStart(ms: number): number {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
}

const zeroCounts = (): Record<Severity, number> => ({ SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 0 });

function perWeek(list: readonly IncidentFacts[], from: number, to: number): WeekBucket[] {
  const buckets = new Map<number, Record<Severity, number>>();
  for (let w = weekStart(from); w <= to; w += 7 * DAY) buckets.set(w, zeroCounts());
  for (const f of list) {
    const counts = buckets.get(weekStart(f.createdAt));
    if (counts) counts[f.state.severity] += 1;
  }
  return [...buckets].map(([w, counts]) => ({ weekStart: new Date(w).toISOString(), counts }));
}

export interface InsightsInput {
  /** Each incident's events in seq order; incidents declared outside the window are ignored. */
  incidents: ReadonlyArray<readonly IncidentEvent[]>;
  window: InsightWindow;
  now: Date;
  viewer: Pick<Actor, 'id' | 'role'>;
  sla: SlaTargets;
}

export function computeInsights(input: InsightsInput): Insights {
  const to = input.now.getTime();
  const from = to - WINDOW_DAYS[input.window] * DAY;
  const all = input.incidents
    .map(incidentFacts)
    .filter((f): f is IncidentFacts => f !== undefined && f.createdAt > from && f.createdAt <= to);
  const live = all.filter((f) => f.state.status !== 'CANCELLED');
  // Private incidents the viewer may not see only count in the totals: a breakdown could single them out.
  const shown = live.filter((f) => canSeeIncident(input.viewer, f.state).allowed);
  const bySeverity = (list: readonly IncidentFacts[], s: Severity) => list.filter((f) => f.state.severity === s);
  const services = [...new Set(shown.map((f) => f.state.service ?? '(none)'))].sort();
  const severe = live.filter((f) => f.resolvedAt !== undefined && ['SEV1', 'SEV2'].includes(f.state.severity));
  const actions = live.flatMap((f) => f.state.actions);
  const rollbacks = live.flatMap((f) => f.rollbacks.map((r) => ({ ...r, createdAt: f.createdAt })));
  const breached = (list: readonly IncidentFacts[]) => list.filter((f) => breachesSla(f, input.sla, to)).length;
  return {
    window: input.window,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    totals: {
      ...group(live),
      declared: all.length,
      cancelled: all.length - live.length,
      open: live.filter((f) => f.state.status !== 'RESOLVED').length,
      resolved: live.filter((f) => f.state.status === 'RESOLVED').length,
    },
    hiddenPrivate: live.length - shown.length,
    bySeverity: SEVERITIES.map((severity) => ({ severity, ...group(bySeverity(shown, severity)) })),
    byService: services.map((service) => ({
      service,
      ...group(shown.filter((f) => (f.state.service ?? '(none)') === service)),
    })),
    perWeek: perWeek(shown, from, to),
    sla: {
      targets: input.sla,
      ...rate(breached(live), live.length),
      bySeverity: SEVERITIES.map((severity) => {
        const list = bySeverity(shown, severity);
        return { severity, ...rate(breached(list), list.length) };
      }),
    },
    postmortems: rate(severe.filter((f) => f.state.postmortemPrUrl !== undefined).length, severe.length),
    followUps: rate(actions.filter((a) => a.done).length, actions.length),
    rollbacks: {
      count: rollbacks.length,
      requestToComplete: durationStats(rollbacks.map((r) => r.completedAt - r.requestedAt)),
      declarationToComplete: durationStats(rollbacks.map((r) => r.completedAt - r.createdAt)),
    },
  };
}
