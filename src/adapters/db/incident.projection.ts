import { firingCount, signalIndex } from '../../incidents/signal-index';
import { describeEvent } from '../../incidents/incident.timeline';
import { issueKey } from '../../incidents/followup.decider';
import type { ActionItem, AttachedSignal, IncidentEvent, IncidentState } from '../../incidents/incident.types';
import { yieldToLoop } from '../../shared/yield-to-loop';
import { projectMembers } from './privacy.repo';
import { projectSloViolations } from './slo.repo';
import type { Trx } from './schema';
import { filesColumn, projectTimelineChanges } from './timeline-changes.projection';
import { insertOnce } from './compile-once';

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
    visibility: s.visibility ?? 'public',
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
  files: filesColumn(e),
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
  // The tracker issue (followup.decider.ts), so the tracker's webhook finds the follow-up of an issue.
  issue_key: a.issue ? issueKey(a.issue) : null,
  issue_url: a.issue?.url ?? null,
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

export interface Projected {
  state: IncidentState;
  events: readonly IncidentEvent[];
}

/** Project freshly appended events into the read models, inside the appending transaction. */
export const projectEvents = (trx: Trx, state: IncidentState, events: IncidentEvent[]) =>
  projectBatch(trx, [{ state, events }]);

/** `set col = excluded.col` for every column but the key ones: a multi-row upsert that keeps each row's own values. */
const fromExcluded =
  (columns: readonly string[]) =>
  (eb: { ref: (r: string) => unknown }): Record<string, never> =>
    Object.fromEntries(columns.map((k) => [k, eb.ref(`excluded.${k}`)])) as Record<string, never>;

async function upsertChunked<T extends object>(
  trx: Trx,
  table: 'incidents' | 'incident_actions' | 'incident_signals',
  rows: T[],
  key: string[],
  keep: string[],
) {
  if (rows.length === 0) return;
  const update = fromExcluded(Object.keys(rows[0]).filter((k) => !key.includes(k) && !keep.includes(k)));
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await insertOnce(trx, `upsert:${table}`, rows.slice(i, i + ROWS_PER_STATEMENT) as Record<string, unknown>[], (r) =>
      trx
        .insertInto(table)
        .values(r as never)
        .onConflict((oc) => oc.columns(key as never).doUpdateSet(update as never)),
    );
  }
}

/**
 * Many incidents' fresh events as one multi-row statement per read model (one incident appears once:
 * its final state in this batch), instead of a few statements per command.
 */
export async function projectBatch(trx: Trx, items: readonly Projected[]): Promise<void> {
  const live = items.filter((x) => x.events.length > 0);
  if (live.length === 0) return;
  await upsertChunked(
    trx,
    'incidents',
    live.map((x) => incidentRow(x.state)),
    ['id'],
    ['org_id', 'number'],
  );
  const timeline = live.flatMap((x) => x.events.map(timelineRow));
  for (let i = 0; i < timeline.length; i += ROWS_PER_STATEMENT) {
    await insertOnce(trx, 'timeline', timeline.slice(i, i + ROWS_PER_STATEMENT), (r) =>
      trx.insertInto('incident_timeline').values(r as never),
    );
  }
  if (timeline.length > 50) await yieldToLoop(); // SQLite runs each statement synchronously
  await projectTimelineChanges(trx, live.flatMap((x) => x.events));
  const actions: ReturnType<typeof actionRow>[] = [];
  const signals: ReturnType<typeof signalRow>[] = [];
  for (const { state, events } of live) {
    const actionIds = new Set<string>();
    const fingerprints = new Set<string>();
    for (const e of events) {
      // Every ACTION_* event changes its follow-up's row (added, done, reopened, exported, renamed…).
      if (e.type.startsWith('ACTION_') && 'actionId' in e) actionIds.add(e.actionId);
      if (e.type === 'SIGNAL_ATTACHED') fingerprints.add(e.signal.fingerprint);
      if (e.type === 'SIGNAL_RESOLVED') fingerprints.add(e.fingerprint);
    }
    for (const a of state.actions) if (actionIds.has(a.id)) actions.push(actionRow(state, a));
    for (const fp of fingerprints) {
      const x = state.signals[signalIndex(state.signals, fp)];
      if (x) signals.push(signalRow(state, x));
    }
  }
  await upsertChunked(trx, 'incident_actions', actions, ['action_id'], ['org_id']);
  await upsertChunked(trx, 'incident_signals', signals, ['incident_id', 'fingerprint'], ['org_id']);
  await projectMembers(trx, live);
  await projectSloViolations(trx, live);
}

/** Rows per multi-row statement: well under SQLite's and Postgres's bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;
