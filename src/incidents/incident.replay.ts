import { evolve } from './incident.decider';
import { type IncidentEvent, type IncidentState, initialState } from './incident.types';

/**
 * Timeline replay: the incident as it was at an instant, folded from its log with the real `evolve`.
 * Pure; the console renders it and its script steps through the same snapshots.
 */

const ms = (t: string | number | Date) => (typeof t === 'number' ? t : new Date(t).getTime());

/** The state at `t`: every event that had happened by then (occurredAt ≤ t), folded in seq order. */
export function stateAt(events: readonly IncidentEvent[], t: string | number | Date): IncidentState {
  const until = ms(t);
  const first = events[0];
  let state = initialState(first?.incidentId ?? '', first?.orgId ?? '');
  for (const e of events) {
    if (Date.parse(e.occurredAt) > until) break;
    state = evolve(state, e);
  }
  return state;
}

/** What the replay's summary panel shows. */
export interface ReplaySnapshot {
  exists: boolean;
  status: string;
  severity: string;
  title: string;
  roles: { commander?: string; comms?: string; scribe?: string };
  followUps: { open: number; done: number };
  signals: { firing: number; total: number };
  lastUpdate?: string;
  notes: number;
}

export function snapshotOf(s: IncidentState): ReplaySnapshot {
  return {
    exists: s.exists,
    status: s.status,
    severity: s.severity,
    title: s.title,
    roles: { commander: s.roles.commander, comms: s.roles.comms, scribe: s.roles.scribe },
    followUps: { open: s.actions.filter((a) => !a.done).length, done: s.actions.filter((a) => a.done).length },
    signals: { firing: s.signals.filter((x) => x.status === 'firing').length, total: s.signals.length },
    lastUpdate: s.lastUpdateText,
    notes: s.noteCount,
  };
}

/** One step of the replay: the event and the snapshot right after it. */
export interface ReplayFrame {
  seq: number;
  at: number;
  snapshot: ReplaySnapshot;
}

/**
 * A frame per event, folded once (the snapshot after event i equals `stateAt` of its instant, except that
 * events sharing one instant all land at once there: the frame of the last of them is the state at t).
 */
export function replayFrames(events: readonly IncidentEvent[]): ReplayFrame[] {
  const first = events[0];
  let state = initialState(first?.incidentId ?? '', first?.orgId ?? '');
  return events.map((e) => {
    state = evolve(state, e);
    return { seq: e.seq, at: Date.parse(e.occurredAt), snapshot: snapshotOf(state) };
  });
}

/**
 * From the declaration to the resolution (the last one, if it was reopened) or the cancellation; an
 * incident still open runs to its latest event.
 */
export function replayRange(events: readonly IncidentEvent[]): { start: number; end: number } {
  const created = events.find((e) => e.type === 'INCIDENT_CREATED') ?? events[0];
  const start = created ? Date.parse(created.occurredAt) : 0;
  let end = start;
  for (const e of events)
    if (e.type === 'STATUS_CHANGED' && (e.to === 'RESOLVED' || e.to === 'CANCELLED')) end = Date.parse(e.occurredAt);
  if (end === start && events.length) end = Date.parse(events[events.length - 1].occurredAt);
  return { start, end: Math.max(start, end) };
}

/**
 * `?t=`: an ISO instant, or seconds after the declaration (`90`); clamped into the replay's range.
 * Undefined when it is neither (the page says so and shows the declaration).
 */
export function parseReplayTime(text: string | undefined, range: { start: number; end: number }): number | undefined {
  const t = (text ?? '').trim();
  if (t === '') return range.start;
  let at: number;
  if (/^\d+(\.\d+)?$/.test(t)) at = range.start + Number(t) * 1000;
  else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(t)) at = Date.parse(t);
  else return undefined;
  if (!Number.isFinite(at)) return undefined;
  return Math.min(range.end, Math.max(range.start, at));
}
