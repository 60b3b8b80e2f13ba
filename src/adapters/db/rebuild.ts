import { CompiledQuery } from 'kysely';
import { evolve } from '../../incidents/incident.decider';
import { type IncidentState, initialState } from '../../incidents/incident.types';
import { dialectOf } from './create-db';
import { rowToEvent } from './event-store';
import { actionRow, incidentRow, signalRow, timelineRow } from './incident.projection';
import { incidentMemberRows } from './privacy.repo';
import { sloViolationRows } from './slo.repo';
import type { DB, Trx } from './schema';
import { rebuildTimelineChanges } from './timeline-changes.projection';

/**
 * Events read per query, and folded rows written after each page. Small pages keep little alive
 * between garbage collections (measured: ~10% fewer instructions than 10,000-event pages).
 */
const PAGE = 1_000;
/** Postgres: as many rows per statement as its bound-parameter limit (65535) comfortably allows. */
const MAX_PARAMS = 30_000;
/** SQLite: a fixed row count keeps the statement text identical, so a prepared-statement cache can reuse it. */
const SQLITE_ROWS = 100;

type ReadModel = 'incidents' | 'incident_timeline' | 'incident_actions' | 'incident_signals' | 'incident_members' | 'slo_violations';

/**
 * A rebuild writes millions of rows; building each chunk through Kysely's insert builder cost more
 * than SQLite's own insert, so the statement text is made once per (table, row count) and only the
 * parameters change. Identifiers are the row builders' fixed keys, never input.
 */
function bulkInserter(trx: Trx, pg: boolean) {
  const texts = new Map<string, string>();
  const text = (table: ReadModel, columns: string[], rows: number) => {
    const key = `${table}:${rows}`;
    let t = texts.get(key);
    if (!t) {
      let n = 0;
      const tuple = () => `(${columns.map(() => (pg ? `$${++n}` : '?')).join(', ')})`;
      t = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, tuple).join(', ')}`;
      texts.set(key, t);
    }
    return t;
  };
  return async function insertChunked<T extends Record<string, unknown>>(table: ReadModel, rows: T[]) {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]);
    const per = pg ? Math.max(1, Math.floor(MAX_PARAMS / columns.length)) : SQLITE_ROWS;
    for (let i = 0; i < rows.length; i += per) {
      const end = Math.min(rows.length, i + per);
      const params: unknown[] = new Array((end - i) * columns.length);
      let p = 0;
      for (let r = i; r < end; r++) {
        const row = rows[r];
        for (const c of columns) params[p++] = row[c] ?? null;
      }
      await trx.executeQuery(CompiledQuery.raw(text(table, columns, end - i), params));
    }
  };
}

export interface RebuildResult {
  events: number;
  incidents: number;
  ms: number;
}

/** Drop every incident read model and fold them again from the log, in one transaction. */
export async function rebuildProjections(db: DB): Promise<RebuildResult> {
  const started = performance.now();
  let events = 0;
  let incidents = 0;
  const pg = dialectOf(db) === 'postgres';
  await db.transaction().execute(async (trx) => {
    const insertChunked = bulkInserter(trx, pg);
    for (const t of ['incident_timeline', 'incident_actions', 'incident_signals', 'incident_members', 'slo_violations', 'incidents'] as const) {
      await trx.deleteFrom(t).execute();
    }
    let state: IncidentState | null = null;
    let timeline: ReturnType<typeof timelineRow>[] = [];
    const finished: IncidentState[] = [];
    const flush = async () => {
      await insertChunked('incidents', finished.map(incidentRow));
      await insertChunked('incident_actions', finished.flatMap((s) => s.actions.map((a) => actionRow(s, a))));
      await insertChunked('incident_signals', finished.flatMap((s) => s.signals.map((x) => signalRow(s, x))));
      await insertChunked('incident_timeline', timeline);
      await insertChunked('incident_members', finished.flatMap(incidentMemberRows));
      await insertChunked('slo_violations', finished.flatMap(sloViolationRows));
      incidents += finished.length;
      finished.length = 0;
      timeline = [];
    };
    let after: { incident_id: string; seq: number } | null = null;
    for (;;) {
      let q = trx
        .selectFrom('incident_events')
        .select(['org_id', 'incident_id', 'seq', 'type', 'payload', 'actor', 'occurred_at'])
        .orderBy('incident_id')
        .orderBy('seq')
        .limit(PAGE);
      if (after) {
        // A row-value comparison seeks the (incident_id, seq) index; the equivalent OR made SQLite scan
        // from the start on every page (quadratic in the log's size).
        const a = after;
        q = q.where((eb) => eb(eb.refTuple('incident_id', 'seq'), '>', eb.tuple(a.incident_id, a.seq)));
      }
      const rows = await q.execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        const e = rowToEvent(r);
        if (!state || state.id !== e.incidentId) {
          if (state?.exists) finished.push(state);
          state = initialState(e.incidentId, e.orgId);
        }
        state = evolve(state, e);
        timeline.push(timelineRow(e));
      }
      events += rows.length;
      const last = rows[rows.length - 1];
      after = { incident_id: last.incident_id, seq: Number(last.seq) };
      await flush();
    }
    if (state?.exists) finished.push(state);
    await flush();
    await rebuildTimelineChanges(trx); // edits, deletes and corrected times of entries
  });
  return { events, incidents, ms: performance.now() - started };
}
