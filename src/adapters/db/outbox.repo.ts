import type { PlannedEffect } from '../../app/effects';
import type { DB, Trx } from './schema';

export async function enqueueEffects(trx: Trx | DB, orgId: string, incidentId: string | null, effects: PlannedEffect[], now: Date): Promise<number> {
  let inserted = 0;
  for (const e of effects) {
    const res = await trx
      .insertInto('outbox')
      .values({
        org_id: orgId,
        incident_id: incidentId,
        kind: e.kind,
        payload: JSON.stringify(e.payload),
        dedupe_key: e.dedupeKey ?? null,
        next_attempt_at: e.notBefore ?? now.toISOString(),
        created_at: now.toISOString(),
        locked_by: null,
        locked_until: null,
        last_error: null,
        result: null,
        delivered_at: null,
      })
      // A pending row with the same dedupe key already covers this request.
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    inserted += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}
