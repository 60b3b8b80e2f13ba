import type { AttachedSignal, IncidentCommand, IncidentEvent, IncidentState, SignalRef } from './incident.types';
import { appendInPlace, signalIndex, withSignalAt, withSignalLast } from './signal-index';

/** Alerts on an incident: attach, re-fire, resolve. Pure; incident.decider.ts delegates here. */

type AttachEvent = Extract<IncidentEvent, { type: 'SIGNAL_ATTACHED' }>;
type ResolveEvent = Extract<IncidentEvent, { type: 'SIGNAL_RESOLVED' }>;
type SignalEventData = { type: 'SIGNAL_ATTACHED'; signal: SignalRef } | { type: 'SIGNAL_RESOLVED'; fingerprint: string };

/**
 * One alert, or many in arrival order (a request's alerts for one incident), each decided against the
 * signals as the earlier ones left them: a repeat with the same status adds nothing, a resolution only
 * resolves an attached alert, a firing alert is attached (again, if it had resolved).
 */
export function decideSignals(
  state: IncidentState,
  command: Extract<IncidentCommand, { type: 'AttachSignal' | 'AttachSignals' }>,
): SignalEventData[] {
  const signals = command.type === 'AttachSignal' ? [command.signal] : command.signals;
  const status = new Map<string, AttachedSignal['status']>();
  const out: SignalEventData[] = [];
  for (const signal of signals) {
    const fp = signal.fingerprint;
    const known = status.get(fp) ?? state.signals[signalIndex(state.signals, fp)]?.status;
    if (known === signal.status) continue;
    if (signal.status === 'resolved') {
      if (!known) continue;
      out.push({ type: 'SIGNAL_RESOLVED', fingerprint: fp });
      status.set(fp, 'resolved');
      continue;
    }
    out.push({ type: 'SIGNAL_ATTACHED', signal });
    status.set(fp, 'firing');
  }
  return out;
}

/**
 * One attached entry, key by key in one fixed order. Not `{ ...ref, attachedAt, … }`: V8 (Node 20) gives
 * every object made by a spread and then given new keys a hidden class of its own, so a storm's thousands
 * of entries each carried one (measured: ~300 B more an entry, and 15× the time to build one).
 */
function entryOf(
  ref: SignalRef,
  status: AttachedSignal['status'],
  risk: AttachedSignal['risk'],
  correlation: AttachedSignal['correlation'],
  attachedAt: string,
  lastSeenAt: string,
  resolvedAt: string | undefined,
): AttachedSignal {
  const entry: AttachedSignal = {
    signalId: ref.signalId,
    fingerprint: ref.fingerprint,
    service: ref.service,
    environment: ref.environment,
    title: ref.title,
    risk,
    status,
    source: ref.source,
    attachedAt,
    lastSeenAt,
  };
  if (ref.correlationKey !== undefined) entry.correlationKey = ref.correlationKey;
  if (ref.traceId !== undefined) entry.traceId = ref.traceId;
  if (correlation !== undefined) entry.correlation = correlation;
  if (resolvedAt !== undefined) entry.resolvedAt = resolvedAt;
  return entry;
}

/** The attached entry for `event`: the others keep their order, this alert moves to the end. */
function attachedEntry(state: IncidentState, event: AttachEvent): AttachedSignal {
  const prev = state.signals[signalIndex(state.signals, event.signal.fingerprint)];
  const s = event.signal;
  // Why it first joined stays the explanation (a repeat's own reason is only "same fingerprint"); so does attachedAt.
  const correlation = prev?.correlation ?? s.correlation;
  return entryOf(s, 'firing', s.risk, correlation, prev?.attachedAt ?? event.occurredAt, event.occurredAt, undefined);
}

/** `next` (already stamped with the event's version) after a signal event. signal-index.ts keeps lookups O(1). */
export function evolveSignal(next: IncidentState, state: IncidentState, event: AttachEvent | ResolveEvent): IncidentState {
  if (event.type === 'SIGNAL_ATTACHED') {
    next.signals = withSignalLast(state.signals, attachedEntry(state, event));
    return next;
  }
  const i = signalIndex(state.signals, event.fingerprint);
  if (i >= 0) {
    const p = state.signals[i];
    const at = event.occurredAt;
    const entry = entryOf(p, 'resolved', 'CLEARED', p.correlation, p.attachedAt, at, at);
    next.signals = withSignalAt(state.signals, i, entry);
  }
  return next;
}

/**
 * `evolve` for a caller that keeps only the newest state of a line (a fold, the rebuild): a storm folds
 * thousands of SIGNAL_ATTACHED events onto one incident, and a copy of the list each is quadratic. A list
 * this line made itself (no state outside it can see it: its older states are dropped) grows in place.
 */
export function foldLine(evolve: (s: IncidentState, e: IncidentEvent) => IncidentState) {
  let owned: AttachedSignal[] | undefined;
  return (s: IncidentState, e: IncidentEvent): IncidentState => {
    if (e.type === 'SIGNAL_ATTACHED' && owned && s.signals === owned && signalIndex(owned, e.signal.fingerprint) < 0) {
      return { ...s, version: e.seq, updatedAt: e.occurredAt, signals: appendInPlace(owned, attachedEntry(s, e)) };
    }
    const next = evolve(s, e);
    if (next.signals !== s.signals) owned = next.signals;
    return next;
  };
}

/** `events.reduce(evolve, initial)`, linear in a storm's alerts; `initial` is never changed. */
export function foldEvents(
  evolve: (s: IncidentState, e: IncidentEvent) => IncidentState,
  initial: IncidentState,
  events: readonly IncidentEvent[],
): IncidentState {
  return events.reduce(foldLine(evolve), initial);
}
