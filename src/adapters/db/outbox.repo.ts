import { sql } from 'kysely';
import type { PlannedEffect } from '../../app/effects';
import type { DB, NewOutbox, Trx } from './schema';
import { insertOnce } from './compile-once';

export interface EffectBatchItem {
  orgId: string;
  incidentId: string | null;
  effects: readonly PlannedEffect[];
  at: Date;
}

/** Rows per multi-row statement: well under both dialects' bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;

export function enqueueEffects(
  trx: Trx | DB,
  orgId: string,
  incidentId: string | null,
  effects: PlannedEffect[],
  now: Date,
): Promise<number> {
  return enqueueEffectRows(trx, [{ orgId, incidentId, effects, at: now }]);
}

/**
 * Many commands' effects as multi-row inserts. Rows sharing a dedupe key fold into the first (at the
 * earliest time of them), as a second insert would fold into the pending row: one statement may not
 * touch a conflicting row twice.
 */
export async function enqueueEffectRows(trx: Trx | DB, items: readonly EffectBatchItem[]): Promise<number> {
  const rows: NewOutbox[] = [];
  const byKey = new Map<string, NewOutbox>();
  for (const { orgId, incidentId, effects, at } of items) {
    const created = at.toISOString();
    for (const e of effects) {
      const next = e.notBefore ?? created;
      const same = e.dedupeKey ? byKey.get(e.dedupeKey) : undefined;
      if (same) {
        if (next < same.next_attempt_at!) same.next_attempt_at = next;
        continue;
      }
      const row: NewOutbox = {
        org_id: orgId,
        incident_id: incidentId,
        kind: e.kind,
        payload: JSON.stringify(e.payload),
        dedupe_key: e.dedupeKey ?? null,
        next_attempt_at: next,
        created_at: created,
        locked_by: null,
        locked_until: null,
        last_error: null,
        result: null,
        delivered_at: null,
      };
      if (e.dedupeKey) byKey.set(e.dedupeKey, row);
      rows.push(row);
    }
  }
  let inserted = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const n = await insertOnce(trx, 'outbox', rows.slice(i, i + ROWS_PER_STATEMENT), (r) =>
      trx
        .insertInto('outbox')
        .values(r as never)
        // A pending row with the same dedupe key already covers this request: fold into it. Updating it
        // (rather than DO NOTHING) locks it until we commit, so a worker cannot claim it and render the
        // state from before this transaction; and an urgent request pulls a delayed one forward.
        .onConflict((oc) =>
          oc
            .column('dedupe_key')
            // A literal, as in the partial index: SQLite only matches the conflict target to it textually.
            .where('status', '=', sql.lit('pending'))
            .doUpdateSet({
              next_attempt_at: sql<string>`case when excluded.next_attempt_at < outbox.next_attempt_at then excluded.next_attempt_at else outbox.next_attempt_at end`,
            }),
        ),
    );
    inserted += Number(n);
  }
  return inserted;
}

/** One effect with no dedupe key, returning its row id (for a caller that delivers it right away). */
export async function enqueueEffectReturningId(
  trx: Trx | DB,
  orgId: string,
  incidentId: string | null,
  e: PlannedEffect,
  now: Date,
): Promise<number> {
  const row = await trx
    .insertInto('outbox')
    .values({
      org_id: orgId,
      incident_id: incidentId,
      kind: e.kind,
      payload: JSON.stringify(e.payload),
      dedupe_key: null,
      next_attempt_at: e.notBefore ?? now.toISOString(),
      created_at: now.toISOString(),
      locked_by: null,
      locked_until: null,
      last_error: null,
      result: null,
      delivered_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** After an outage ends: rows backing off because of it (their last error matches one pattern) become due now. */
export async function retryNow(db: DB, lastErrorLike: readonly string[], at: Date): Promise<number> {
  const res = await db
    .updateTable('outbox')
    .set({ next_attempt_at: at.toISOString() })
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', at.toISOString())
    .where((eb) => eb.or(lastErrorLike.map((p) => eb('last_error', 'like', p))))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
