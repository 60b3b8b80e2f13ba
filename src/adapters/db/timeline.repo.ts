import type { DB } from './schema';

/** The workspace's thread-capture switch; undefined when it never chose (the env default applies). */
export async function threadCaptureSetting(db: DB, orgId: string): Promise<boolean | undefined> {
  const row = await db
    .selectFrom('timeline_settings')
    .select('thread_capture')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row ? Number(row.thread_capture) === 1 : undefined;
}

export async function saveThreadCapture(db: DB, s: { orgId: string; enabled: boolean; by: string; at: string }) {
  const row = { org_id: s.orgId, thread_capture: s.enabled ? 1 : 0, updated_by: s.by, updated_at: s.at };
  await db
    .insertInto('timeline_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({ thread_capture: row.thread_capture, updated_by: s.by, updated_at: s.at }),
    )
    .execute();
}

/** Every row of an incident's timeline with its edit/delete marks and corrected time, in log order. */
export async function timelineRows(db: DB, orgId: string, incidentId: string) {
  return db
    .selectFrom('incident_timeline')
    .select(['seq', 'type', 'actor', 'occurred_at', 'text', 'edited_at', 'deleted_at', 'corrected_at', 'files'])
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .orderBy('seq')
    .execute();
}

export type TimelineDbRow = Awaited<ReturnType<typeof timelineRows>>[number];
