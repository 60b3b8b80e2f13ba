import { describeEvent } from '../../incidents/incident.timeline';
import type { IncidentEvent } from '../../incidents/incident.types';
import { isTimelineEvent } from '../../incidents/timeline.decider';
import { rowToEvent } from './event-store';
import type { Trx } from './schema';

/**
 * NOTE_EDITED / NOTE_DELETED / TIMELINE_TIME_CORRECTED change another entry's row of `incident_timeline`
 * (its own row is inserted like every event's). Shared by the live projection and the rebuild, so a
 * rebuilt timeline equals the live one. Change events are rare: one small statement each is fine.
 */
export async function projectTimelineChanges(trx: Trx, events: readonly IncidentEvent[]): Promise<void> {
  for (const e of events) {
    if (!isTimelineEvent(e)) continue;
    const target = trx
      .updateTable('incident_timeline')
      .where('org_id', '=', e.orgId)
      .where('incident_id', '=', e.incidentId)
      .where('seq', '=', e.entrySeq);
    switch (e.type) {
      case 'NOTE_EDITED': {
        const row = await trx
          .selectFrom('incident_events')
          .select(['org_id', 'incident_id', 'seq', 'type', 'payload', 'actor', 'occurred_at'])
          .where('org_id', '=', e.orgId)
          .where('incident_id', '=', e.incidentId)
          .where('seq', '=', e.entrySeq)
          .executeTakeFirst();
        const original = row ? rowToEvent(row) : undefined;
        if (original?.type !== 'NOTE_ADDED') break;
        const source = original.source ? { ...original.source, files: e.files } : undefined;
        const text = describeEvent({ ...original, text: e.text, source });
        const files = e.files?.length ? JSON.stringify(e.files) : null;
        await target.set({ text, edited_at: e.occurredAt, files }).execute();
        break;
      }
      case 'NOTE_DELETED':
        await target.set({ deleted_at: e.occurredAt }).execute();
        break;
      case 'TIMELINE_TIME_CORRECTED':
        await target.set({ corrected_at: e.to }).execute();
        break;
    }
  }
}

/** The files column of a freshly inserted NOTE_ADDED row (other rows: null). */
export const filesColumn = (e: IncidentEvent): string | null =>
  e.type === 'NOTE_ADDED' && e.source?.files?.length ? JSON.stringify(e.source.files) : null;
