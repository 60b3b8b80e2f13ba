import { eventToRow } from '../adapters/db/event-store';
import { projectEvents } from '../adapters/db/incident.projection';
import { enqueueEffects } from '../adapters/db/outbox.repo';
import type { Trx } from '../adapters/db/schema';
import type { IncidentEvent, IncidentState } from '../incidents/incident.types';
import type { PlannedEffect } from './effects';

/**
 * Many commands in one transaction (alert ingestion) with their writes held back and flushed as a few
 * multi-row statements, instead of five or six round trips per command. The states are this
 * transaction's own (uncommitted): the incident service reads them instead of the database.
 */
export interface IncidentBatch {
  states: Map<string, IncidentState>;
  pending: Map<string, PendingWrites>;
}

interface PendingWrites {
  orgId: string;
  events: IncidentEvent[];
  rows: ReturnType<typeof eventToRow>[];
  effects: Array<{ effects: PlannedEffect[]; at: Date }>;
}

const ROWS_PER_STATEMENT = 500;

export const createIncidentBatch = (): IncidentBatch => ({ states: new Map(), pending: new Map() });

/** Hold one command's writes (its events already folded into `after`). */
export function holdWrites(batch: IncidentBatch, after: IncidentState, events: IncidentEvent[], effects: PlannedEffect[], at: Date, idempotencyKey?: string) {
  batch.states.set(after.id, after);
  if (events.length === 0 && effects.length === 0) return;
  let p = batch.pending.get(after.id);
  if (!p) batch.pending.set(after.id, (p = { orgId: after.orgId, events: [], rows: [], effects: [] }));
  p.events.push(...events);
  p.rows.push(...events.map((e, i) => eventToRow(e, i === 0 ? (idempotencyKey ?? null) : null)));
  if (effects.length) p.effects.push({ effects, at });
}

/** Write everything held, in command order. A unique violation here fails the caller's transaction (it retries). */
export async function flushIncidentBatch(trx: Trx, batch: IncidentBatch): Promise<void> {
  const all = [...batch.pending.entries()];
  batch.pending.clear();
  const rows = all.flatMap(([, p]) => p.rows);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await trx.insertInto('incident_events').values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute();
  for (const [id, p] of all) {
    await projectEvents(trx, batch.states.get(id)!, p.events);
    // While a row with a dedupe key is pending, later ones fold into it: the first one wins, as in the outbox.
    const seen = new Set<string>();
    for (const { effects, at } of p.effects) {
      const kept = effects.filter((e) => !e.dedupeKey || (!seen.has(e.dedupeKey) && seen.add(e.dedupeKey)));
      if (kept.length) await enqueueEffects(trx, p.orgId, id, kept, at);
    }
  }
}
