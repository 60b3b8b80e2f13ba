import { evolveLine } from '../../incidents/incident.decider';
import { type IncidentEvent, type IncidentState, initialState } from '../../incidents/incident.types';
import { isTimelineEvent } from '../../incidents/timeline.decider';
import { rowToEvent } from './event-store';
import { actionRow, incidentRow, signalRow, timelineRow } from './incident.projection';
import { incidentMemberRows } from './privacy.repo';
import type { ReadModel } from './rebuild-writer';
import { sloViolationRows } from './slo.repo';
import type { IncidentEventsTable } from './schema';

/** One `incident_events` row as the rebuild reads it, in (incident_id, seq) order. */
export type EventRow = Omit<IncidentEventsTable, 'position' | 'idempotency_key'>;

export const EVENT_COLUMNS = ['org_id', 'incident_id', 'seq', 'type', 'payload', 'actor', 'occurred_at'] as const;

/** Rows of one read model as flat parameters (`columns.length` values a row), in insert order. */
export interface FlatRows {
  table: ReadModel;
  columns: readonly string[];
  params: unknown[];
}

/** What a stretch of the log folds to: the finished incidents' rows and every event's timeline row. */
export interface FoldBatch {
  events: number;
  incidents: number;
  tables: FlatRows[];
}

function flat<T extends Record<string, unknown>>(table: ReadModel, rows: readonly T[]): FlatRows[] {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  const params: unknown[] = new Array(rows.length * columns.length);
  let p = 0;
  for (const row of rows) for (const c of columns) params[p++] = row[c] ?? null;
  return [{ table, columns, params }];
}

/**
 * Folds the log, row by row, into the read models' rows. An incident's rows are emitted once its last
 * event has been read (the next incident starts, or the log ends); the row builders are the live
 * projection's, so rebuilt rows equal live ones.
 */
export function createFold() {
  let state: IncidentState | null = null;
  const evolve = evolveLine();
  let timeline: unknown[] = [];
  // `timelineRow`'s keys, taken from its first row: one row per event, so it is built flat as it is folded.
  let timelineColumns: string[] | undefined;
  let events = 0;
  const finished: IncidentState[] = [];
  const changes: IncidentEvent[] = [];
  return {
    /**
     * Edits, deletions and time corrections of earlier entries, in log order: applied to the rows after
     * the load (timeline-changes.projection.ts). Collected here so the log is read once; they are rare.
     */
    changes,
    add(r: EventRow) {
      const e = rowToEvent(r);
      if (!state || state.id !== e.incidentId) {
        if (state?.exists) finished.push(state);
        state = initialState(e.incidentId, e.orgId);
      }
      state = evolve(state, e);
      if (isTimelineEvent(e)) changes.push(e);
      const t: Record<string, unknown> = timelineRow(e);
      timelineColumns ??= Object.keys(t);
      for (const c of timelineColumns) timeline.push(t[c] ?? null);
      events++;
    },
    /** The rows ready so far; `end` also closes the incident being read (the log is exhausted). */
    take(end: boolean): FoldBatch {
      if (end && state?.exists) finished.push(state);
      if (end) state = null;
      const done = finished.splice(0);
      const tables = [
        ...flat('incidents', done.map(incidentRow)),
        ...flat(
          'incident_actions',
          done.flatMap((s) => s.actions.map((a) => actionRow(s, a))),
        ),
        ...flat(
          'incident_signals',
          done.flatMap((s) => s.signals.map((x) => signalRow(s, x))),
        ),
        ...(timelineColumns && timeline.length
          ? [{ table: 'incident_timeline' as const, columns: timelineColumns, params: timeline }]
          : []),
        ...flat('incident_members', done.flatMap(incidentMemberRows)),
        ...flat('slo_violations', done.flatMap(sloViolationRows)),
      ];
      const batch = { events, incidents: done.length, tables };
      timeline = [];
      events = 0;
      return batch;
    },
  };
}
