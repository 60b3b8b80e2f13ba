import { randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { eventToRow } from '../src/adapters/db/event-store';
import { decide, evolve } from '../src/incidents/incident.decider';
import { type Actor, type IncidentCommand, type IncidentEvent, type IncidentState, initialState } from '../src/incidents/incident.types';

/**
 * Fills `incident_events` with realistic incidents, fast: every event comes out of the real decider
 * (so the log is one the product could have written and evolve accepts it), and rows go in through
 * one prepared better-sqlite3 statement per transaction instead of through the service.
 */

const USER: Actor = { kind: 'user', id: 'U0001', role: 'admin' };
const CONNECTOR: Actor = { kind: 'connector', id: 'connector:bench', role: 'responder' };
const BASE_MS = Date.parse('2026-01-05T09:00:00.000Z');

function signal(n: number, k: number, status: 'firing' | 'resolved' = 'firing') {
  return {
    signalId: `sig-${n}-${k}`,
    fingerprint: `fp-${n}-${k}`,
    service: `svc-${n % 50}`,
    environment: 'prod',
    title: `HighErrorRate on web-${k}`,
    risk: 'BREACHED' as const,
    status,
    source: 'alertmanager',
    correlationKey: `svc-${n % 50}/prod`,
  };
}

/** The k-th command (k ≥ 1) of incident n: a mix of signals, notes, actions, status changes and updates. */
function commandFor(n: number, k: number, state: IncidentState): { command: IncidentCommand; actor: Actor } {
  const lastAction = state.actions.findLast((a) => !a.done);
  switch (k % 10) {
    case 0:
    case 3:
    case 7:
      return { command: { type: 'AttachSignal', signal: signal(n, k) }, actor: CONNECTOR };
    case 1:
    case 4:
      return { command: { type: 'AddNote', text: `Observed at step ${k}: p99 ${200 + (k % 7) * 40} ms on checkout, error rate ${(k % 5) + 1}%` }, actor: USER };
    case 2:
      return { command: { type: 'AddAction', actionId: `act-${n}-${k}`, text: `Follow-up ${k}: add an alert on queue depth` }, actor: USER };
    case 5:
      return { command: { type: 'ChangeStatus', status: state.status === 'INVESTIGATING' ? 'MITIGATED' : 'INVESTIGATING', message: `Step ${k}` }, actor: USER };
    case 6:
      return lastAction
        ? { command: { type: 'CompleteAction', actionId: lastAction.id }, actor: USER }
        : { command: { type: 'AddNote', text: `Nothing to complete at step ${k}` }, actor: USER };
    case 8:
      return { command: { type: 'PostUpdate', text: `Update ${k}: rolling back the deploy, watching the dashboards` }, actor: USER };
    default:
      return { command: { type: 'AttachSignal', signal: signal(n, k - 6, 'resolved') }, actor: CONNECTOR };
  }
}

/** All events of incident n, from the decider. */
export function incidentEvents(n: number, orgId: string, number: number, count: number): IncidentEvent[] {
  const id = randomUUID();
  let state = initialState(id, orgId);
  const out: IncidentEvent[] = [];
  const apply = (command: IncidentCommand, actor: Actor) => {
    for (const d of decide(command, state, actor)) {
      const e = { ...d, incidentId: id, orgId, seq: state.version + 1, actor: actor.id, occurredAt: new Date(BASE_MS + n * 60_000 + out.length * 1000).toISOString() } as IncidentEvent;
      state = evolve(state, e);
      out.push(e);
    }
  };
  apply({ type: 'DeclareIncident', number, title: `Checkout errors ${n}`, severity: 'SEV2', service: `svc-${n % 50}`, environment: 'prod', channelName: `inc-${number}-checkout-errors-${n}` }, USER);
  for (let k = 1; out.length < count; k++) {
    const { command, actor } = commandFor(n, k, state);
    apply(command, actor);
  }
  return out.slice(0, count);
}

/** Writes `incidents × eventsPerIncident` events into the SQLite file; returns how many. */
export function generateEventLog(file: string, incidents: number, eventsPerIncident: number, orgs = 10): number {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const insert = sqlite.prepare(
    'insert into incident_events (org_id, incident_id, seq, type, payload, actor, occurred_at, idempotency_key) values (@org_id, @incident_id, @seq, @type, @payload, @actor, @occurred_at, @idempotency_key)',
  );
  const perTx = Math.max(1, Math.floor(50_000 / eventsPerIncident));
  const writeMany = sqlite.transaction((from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) {
      const orgId = `T${String(i % orgs).padStart(4, '0')}`;
      for (const e of incidentEvents(i, orgId, Math.floor(i / orgs) + 1, eventsPerIncident)) {
        insert.run(eventToRow(e));
        n++;
      }
    }
    return n;
  });
  let total = 0;
  for (let i = 0; i < incidents; i += perTx) total += writeMany(i, Math.min(incidents, i + perTx));
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  return total;
}

/** The floor for a rebuild: read every event in (incident, seq) order and parse its payload, nothing else. */
export function rawScan(file: string): { events: number; ms: number } {
  const sqlite = new SQLite(file, { readonly: true });
  const t0 = performance.now();
  let events = 0;
  for (const r of sqlite.prepare('select org_id, incident_id, seq, type, payload, actor, occurred_at from incident_events order by incident_id, seq').iterate() as Iterable<{ payload: string }>) {
    if (JSON.parse(r.payload)) events++;
  }
  const ms = performance.now() - t0;
  sqlite.close();
  return { events, ms };
}
