import { firingCount, signalIndex } from '../../incidents/signal-index';
import { describeEvent } from '../../incidents/incident.timeline';
import type { ActionItem, AttachedSignal, IncidentEvent, IncidentState } from '../../incidents/incident.types';
import type { Trx } from './schema';

/** Row builders shared by the live projection and the rebuild, so both produce identical rows. */
export function incidentRow(s: IncidentState) {
  return {
    id: s.id,
    org_id: s.orgId,
    number: s.number,
    title: s.title,
    description: s.description ?? null,
    status: s.status,
    severity: s.severity,
    service: s.service ?? null,
    environment: s.environment ?? null,
    source: s.source,
    channel_id: s.channelId ?? null,
    channel_name: s.channelName ?? null,
    summary_ts: s.summaryTs ?? null,
    commander_id: s.roles.commander ?? null,
    comms_id: s.roles.comms ?? null,
    scribe_id: s.roles.scribe ?? null,
    created_by: s.createdBy,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    mitigated_at: s.mitigatedAt ?? null,
    resolved_at: s.resolvedAt ?? null,
    cancelled_at: s.cancelledAt ?? null,
    last_update_at: s.lastUpdateAt ?? null,
    last_update_text: s.lastUpdateText ?? null,
    signal_count: s.signals.length,
    open_signal_count: firingCount(s.signals),
    action_count: s.actions.length,
    open_action_count: s.actions.filter((a) => !a.done).length,
    note_count: s.noteCount,
    version: s.version,
    postmortem_version: s.postmortemVersion,
    postmortem_pr_url: s.postmortemPrUrl ?? null,
  };
}

export const timelineRow = (e: IncidentEvent) => ({
  org_id: e.orgId,
  incident_id: e.incidentId,
  seq: e.seq,
  type: e.type,
  actor: e.actor,
  occurred_at: e.occurredAt,
  text: describeEvent(e),
});

export const actionRow = (s: IncidentState, a: ActionItem) => ({
  org_id: s.orgId,
  incident_id: s.id,
  action_id: a.id,
  text: a.text,
  owner: a.owner ?? null,
  done: a.done ? 1 : 0,
  created_at: a.createdAt,
  completed_at: a.completedAt ?? null,
  completed_by: a.completedBy ?? null,
});

export const signalRow = (s: IncidentState, x: AttachedSignal) => ({
  org_id: s.orgId,
  incident_id: s.id,
  fingerprint: x.fingerprint,
  service: x.service,
  environment: x.environment,
  title: x.title,
  risk: x.risk,
  status: x.status,
  source: x.source,
  correlation_key: x.correlationKey ?? null,
  trace_id: x.traceId ?? null,
  attached_at: x.attachedAt,
  last_seen_at: x.lastSeenAt,
  resolved_at: x.resolvedAt ?? null,
});

const except = <T extends object>(row: T, ...keys: (keyof T)[]) => {
  const copy = { ...row };
  for (const k of keys) delete copy[k];
  return copy;
};

/** Project freshly appended events into the read models, inside the appending transaction. */
export async function projectEvents(trx: Trx, state: IncidentState, events: IncidentEvent[]): Promise<void> {
  if (events.length === 0) return;
  const inc = incidentRow(state);
  await trx
    .insertInto('incidents')
    .values(inc)
    .onConflict((oc) => oc.column('id').doUpdateSet(except(inc, 'id', 'org_id', 'number')))
    .execute();
  for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) {
    await trx.insertInto('incident_timeline').values(events.slice(i, i + ROWS_PER_STATEMENT).map(timelineRow)).execute();
  }

  const actionIds = new Set<string>();
  const fingerprints = new Set<string>();
  for (const e of events) {
    if (e.type === 'ACTION_ADDED' || e.type === 'ACTION_COMPLETED') actionIds.add(e.actionId);
    if (e.type === 'SIGNAL_ATTACHED') fingerprints.add(e.signal.fingerprint);
    if (e.type === 'SIGNAL_RESOLVED') fingerprints.add(e.fingerprint);
  }
  for (const a of state.actions.filter((x) => actionIds.has(x.id))) {
    const row = actionRow(state, a);
    await trx.insertInto('incident_actions').values(row).onConflict((oc) => oc.column('action_id').doUpdateSet(except(row, 'action_id', 'org_id'))).execute();
  }
  // Multi-row upserts: a batch of alerts touches hundreds of signals in one call.
  const touched = [...fingerprints].map((fp) => state.signals[signalIndex(state.signals, fp)]).filter((x): x is AttachedSignal => !!x);
  for (let i = 0; i < touched.length; i += ROWS_PER_STATEMENT) {
    const rows = touched.slice(i, i + ROWS_PER_STATEMENT).map((x) => signalRow(state, x));
    const updated = Object.keys(except(rows[0], 'incident_id', 'fingerprint', 'org_id')) as Array<keyof typeof rows[0]>;
    await trx
      .insertInto('incident_signals')
      .values(rows)
      .onConflict((oc) => oc.columns(['incident_id', 'fingerprint']).doUpdateSet((eb) => Object.fromEntries(updated.map((k) => [k, eb.ref(`excluded.${k}`)]))))
      .execute();
  }
}

/** Rows per multi-row statement: well under SQLite's and Postgres's bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;
