import { eventToRow } from '../adapters/db/event-store';
import { projectBatch } from '../adapters/db/incident.projection';
import { enqueueEffectRows } from '../adapters/db/outbox.repo';
import type { Trx } from '../adapters/db/schema';
import type { IncidentEvent, IncidentState } from '../incidents/incident.types';
import { yieldToLoop } from '../shared/yield-to-loop';
import type { PlannedEffect } from './effects';
import { insertOnce } from '../adapters/db/compile-once';

/**
 * The commands of one unit of work (one command, or a whole alert request) with their writes held back
 * and flushed as a few multi-row statements, instead of five or six round trips per command. The states are this
 * transaction's own (uncommitted): the incident service reads them instead of the database.
 */
export interface IncidentBatch {
  states: Map<string, IncidentState>;
  pending: Map<string, PendingWrites>;
  /** Postgres: the advisory lock keys this transaction already holds (an org's, for its ingestion group). */
  locks: Set<string>;
}

interface PendingWrites {
  orgId: string;
  events: IncidentEvent[];
  rows: ReturnType<typeof eventToRow>[];
  effects: Array<{ effects: PlannedEffect[]; at: Date }>;
}

const ROWS_PER_STATEMENT = 500;
const YIELD_AFTER_ROWS = 50;

export const createIncidentBatch = (): IncidentBatch => ({ states: new Map(), pending: new Map(), locks: new Set() });

/** Hold one command's writes (its events already folded into `after`). */
export function holdWrites(
  batch: IncidentBatch,
  after: IncidentState,
  events: IncidentEvent[],
  effects: PlannedEffect[],
  at: Date,
  idempotencyKey?: string,
) {
  batch.states.set(after.id, after);
  if (events.length === 0 && effects.length === 0) return;
  let p = batch.pending.get(after.id);
  if (!p) batch.pending.set(after.id, (p = { orgId: after.orgId, events: [], rows: [], effects: [] }));
  p.events.push(...events);
  p.rows.push(...events.map((e, i) => eventToRow(e, i === 0 ? (idempotencyKey ?? null) : null)));
  if (effects.length) p.effects.push({ effects, at });
}

/**
 * Write everything held as one multi-row statement per table (events, read models, outbox), in command
 * order. A unique violation here fails the unit's transaction (it retries).
 */
export async function flushIncidentBatch(trx: Trx, batch: IncidentBatch): Promise<void> {
  if (batch.pending.size === 0) return;
  const all = [...batch.pending.entries()];
  batch.pending.clear();
  const rows = all.flatMap(([, p]) => p.rows);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await insertOnce(trx, 'events', rows.slice(i, i + ROWS_PER_STATEMENT), (r) =>
      trx.insertInto('incident_events').values(r as never),
    );
  }
  // Statements of hundreds of rows run synchronously on SQLite: let the event loop in between them.
  if (rows.length > YIELD_AFTER_ROWS) await yieldToLoop();
  await projectBatch(
    trx,
    all.map(([id, p]) => ({ state: batch.states.get(id)!, events: p.events })),
  );
  if (rows.length > YIELD_AFTER_ROWS) await yieldToLoop();
  await enqueueEffectRows(
    trx,
    all.flatMap(([id, p]) => p.effects.map(({ effects, at }) => ({ orgId: p.orgId, incidentId: id, effects, at }))),
  );
}
