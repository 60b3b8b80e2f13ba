import { OPEN_STATUSES } from '../../incidents/incident.types';
import type { DB } from './schema';

/** Reads for the scheduled incident jobs (status-update reminders, channel archiving) and reminder snoozes. */

export interface ReminderCandidate {
  id: string;
  org_id: string;
  status: string;
  severity: string;
  created_at: string;
  last_update_at: string | null;
  channel_id: string | null;
}

/** Open incidents, across workspaces, of the severities that get reminders, with their channel open. */
export async function reminderCandidates(db: DB, severities: string[]): Promise<ReminderCandidate[]> {
  if (!severities.length) return [];
  return db
    .selectFrom('incidents')
    .select(['id', 'org_id', 'status', 'severity', 'created_at', 'last_update_at', 'channel_id'])
    .where('status', 'in', OPEN_STATUSES)
    .where('severity', 'in', severities)
    .where('channel_id', 'is not', null)
    .execute();
}

export async function snoozesOf(db: DB, incidentIds: string[]): Promise<Map<string, string>> {
  if (!incidentIds.length) return new Map();
  const rows = await db
    .selectFrom('reminder_snoozes')
    .select(['incident_id', 'until'])
    .where('incident_id', 'in', incidentIds)
    .execute();
  return new Map(rows.map((r) => [r.incident_id, r.until]));
}

export async function snoozeReminders(
  db: DB,
  s: { orgId: string; incidentId: string; until: Date; by: string; now: Date },
) {
  const row = { until: s.until.toISOString(), snoozed_by: s.by, snoozed_at: s.now.toISOString() };
  await db
    .insertInto('reminder_snoozes')
    .values({ org_id: s.orgId, incident_id: s.incidentId, ...row })
    .onConflict((oc) => oc.columns(['org_id', 'incident_id']).doUpdateSet(row))
    .execute();
}

export interface ArchiveCandidate {
  id: string;
  org_id: string;
  status: string;
  resolved_at: string | null;
  cancelled_at: string | null;
  notice_at: string | null;
}

/**
 * Closed incidents with a channel whose archive for this closing has not been claimed yet (so the
 * scan shrinks to the recently closed), with when their notice went out, if it did.
 */
export async function archiveCandidates(db: DB): Promise<ArchiveCandidate[]> {
  return db
    .selectFrom('incidents as i')
    .leftJoin('schedule_leases as n', (j) =>
      j
        .onRef('n.org_id', '=', 'i.org_id')
        .on('n.kind', '=', 'archive_notice')
        .onRef('n.subject', '=', 'i.id')
        .on((eb) => eb('n.slot', '=', eb.fn.coalesce('i.resolved_at', 'i.cancelled_at'))),
    )
    .select(['i.id', 'i.org_id', 'i.status', 'i.resolved_at', 'i.cancelled_at', 'n.claimed_at as notice_at'])
    .where('i.status', 'in', ['RESOLVED', 'CANCELLED'])
    .where('i.channel_id', 'is not', null)
    .where(({ not, exists, selectFrom, eb }) =>
      not(
        exists(
          selectFrom('schedule_leases as a')
            .select('a.slot')
            .whereRef('a.org_id', '=', 'i.org_id')
            .where('a.kind', '=', 'archive')
            .whereRef('a.subject', '=', 'i.id')
            .where((x) => x('a.slot', '=', eb.fn.coalesce('i.resolved_at', 'i.cancelled_at'))),
        ),
      ),
    )
    .execute();
}
