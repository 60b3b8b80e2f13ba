import { sql } from 'kysely';
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
      // A pending row with the same dedupe key already covers this request: fold into it. Updating it
      // (rather than DO NOTHING) locks it until we commit, so a worker cannot claim it and render the
      // state from before this transaction; and an urgent request pulls a delayed one forward.
      .onConflict((oc) =>
        oc
          .column('dedupe_key')
          // A literal, as in the partial index: SQLite only matches the conflict target to it textually.
          .where('status', '=', sql.lit('pending'))
          .doUpdateSet({ next_attempt_at: sql<string>`case when excluded.next_attempt_at < outbox.next_attempt_at then excluded.next_attempt_at else outbox.next_attempt_at end` }),
      )
      .executeTakeFirst();
    inserted += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}
