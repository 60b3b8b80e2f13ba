import { evolve } from '../../incidents/incident.decider';
import { type IncidentState, initialState } from '../../incidents/incident.types';
import { rowToEvent } from './event-store';
import { actionRow, incidentRow, signalRow, timelineRow } from './incident.projection';
import type { DB, Trx } from './schema';

const PAGE = 5000;

async function insertChunked<T extends Record<string, unknown>>(trx: Trx, table: 'incidents' | 'incident_timeline' | 'incident_actions' | 'incident_signals', rows: T[]) {
  if (rows.length === 0) return;
  // Stay under SQLite's bound-parameter limit whatever the row width.
  const per = Math.max(1, Math.floor(30000 / Object.keys(rows[0]).length));
  for (let i = 0; i < rows.length; i += per) {
    await trx.insertInto(table).values(rows.slice(i, i + per) as never).execute();
  }
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
  await db.transaction().execute(async (trx) => {
    for (const t of ['incident_timeline', 'incident_actions', 'incident_signals', 'incidents'] as const) {
      await trx.deleteFrom(t).execute();
    }
    let state: IncidentState | null = null;
    let timeline: ReturnType<typeof timelineRow>[] = [];
    const finished: IncidentState[] = [];
    const flush = async (force: boolean) => {
      if (!force && timeline.length < PAGE * 2 && finished.length < 500) return;
      await insertChunked(trx, 'incidents', finished.map(incidentRow));
      await insertChunked(trx, 'incident_actions', finished.flatMap((s) => s.actions.map((a) => actionRow(s, a))));
      await insertChunked(trx, 'incident_signals', finished.flatMap((s) => s.signals.map((x) => signalRow(s, x))));
      await insertChunked(trx, 'incident_timeline', timeline);
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
        const a = after;
        q = q.where((eb) => eb.or([eb('incident_id', '>', a.incident_id), eb.and([eb('incident_id', '=', a.incident_id), eb('seq', '>', a.seq)])]));
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
      await flush(false);
    }
    if (state?.exists) finished.push(state);
    await flush(true);
  });
  return { events, incidents, ms: performance.now() - started };
}
