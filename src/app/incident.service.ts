import { randomUUID } from 'node:crypto';
import { findByIdempotencyKey, appendEvents, loadEvents } from '../adapters/db/event-store';
import { sql } from 'kysely';
import { dialectOf, isUniqueViolation } from '../adapters/db/create-db';
import { projectEvents } from '../adapters/db/incident.projection';
import { enqueueEffects } from '../adapters/db/outbox.repo';
import type { DB, Trx } from '../adapters/db/schema';
import { decide, evolve } from '../incidents/incident.decider';
import { type Actor, type IncidentCommand, type IncidentEvent, type IncidentState, initialState } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { type EffectPlanner, noEffects } from './effects';
import { createIncidentBatch, flushIncidentBatch, holdWrites, type IncidentBatch } from './incident-batch';

export interface IncidentServiceDeps {
  db: DB;
  now?: () => Date;
  planEffects?: EffectPlanner;
  /** Called after every commit that wrote something (wakes the outbox worker, search indexer…). */
  onCommitted?: (result: CommandResult) => void;
}

export interface CommandRequest {
  orgId: string;
  incidentId: string;
  actor: Actor;
  /** Slack's trigger_id / event_id, an alert's dedup key…: a retry with the same key changes nothing. */
  idempotencyKey?: string;
  /** Builds the command inside the transaction (e.g. to pick the next incident number). */
  command: IncidentCommand | ((trx: Trx, state: IncidentState) => Promise<IncidentCommand>);
}

export interface CommandResult {
  orgId: string;
  incidentId: string;
  state: IncidentState;
  events: IncidentEvent[];
  /** True when the idempotency key was seen before: nothing was written. */
  duplicate: boolean;
}

const MAX_ATTEMPTS = 20;
const CACHE_LIMIT = 2000;

export type IncidentService = ReturnType<typeof createIncidentService>;

/** load → decide → append + project + enqueue effects, in one transaction, retried on a lost race. */
export function createIncidentService(deps: IncidentServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const plan = deps.planEffects ?? noEffects;
  // Events are immutable, so a cached state only needs the events after its version.
  const cache = new Map<string, IncidentState>();
  const pg = dialectOf(deps.db) === 'postgres';

  async function load(db: DB | Trx, orgId: string, incidentId: string, local?: Map<string, IncidentState>): Promise<IncidentState> {
    const cached = local?.get(incidentId) ?? cache.get(incidentId);
    const base = cached && cached.orgId === orgId ? cached : initialState(incidentId, orgId);
    const events = await loadEvents(db, orgId, incidentId, base.version);
    return events.reduce(evolve, base);
  }

  function remember(state: IncidentState) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.delete(state.id);
    cache.set(state.id, state);
  }

  /**
   * The body of one command, inside a transaction someone else owns. With a `batch`, states written in
   * that transaction are kept there (uncommitted, so never in the shared cache) and the writes are held
   * until `flushBatch`: a batch of commands neither re-reads its own events nor writes row by row.
   */
  async function run(trx: Trx, req: CommandRequest, batch?: IncidentBatch): Promise<CommandResult> {
    // Idempotency lookups and command builders (incident numbering) read the tables: write what is held first.
    if (batch && (req.idempotencyKey || typeof req.command === 'function')) await flushIncidentBatch(trx, batch);
    const local = batch?.states;
    if (req.idempotencyKey) {
      const seen = await findByIdempotencyKey(trx, req.orgId, req.idempotencyKey);
      if (seen) {
        const state = await load(trx, req.orgId, seen.incident_id, local);
        return { orgId: req.orgId, incidentId: seen.incident_id, state, events: [], duplicate: true };
      }
    }
    // Written earlier in this transaction: already locked (Postgres) and current, nothing to re-read.
    const mine = local?.get(req.incidentId);
    if (pg && !mine) {
      // Serialise writers of one stream (and declarations of one org, for numbering) instead of
      // letting them collide; the unique (incident_id, seq) constraint still guards correctness.
      await sql`select pg_advisory_xact_lock(hashtext(${typeof req.command === 'function' ? `org:${req.orgId}` : req.incidentId}))`.execute(trx);
    }
    const before = mine && mine.orgId === req.orgId ? mine : await load(trx, req.orgId, req.incidentId, local);
    const command = typeof req.command === 'function' ? await req.command(trx, before) : req.command;
    const at = now();
    const data = decide(command, before, req.actor);
    const events: IncidentEvent[] = data.map((d, i) => ({
      ...d,
      incidentId: req.incidentId,
      orgId: req.orgId,
      seq: before.version + i + 1,
      actor: req.actor.id,
      occurredAt: at.toISOString(),
    })) as IncidentEvent[];
    const after = events.reduce(evolve, before);
    if (batch) holdWrites(batch, after, events, plan(before, after, events, at), at, req.idempotencyKey);
    else {
      await appendEvents(trx, events, req.idempotencyKey);
      await projectEvents(trx, after, events);
      await enqueueEffects(trx, req.orgId, req.incidentId, plan(before, after, events, at), at);
    }
    return { orgId: req.orgId, incidentId: req.incidentId, state: after, events, duplicate: false };
  }

  /** After the caller's transaction committed: cache the states and wake the outbox. Never call it after a rollback. */
  function committed(results: readonly CommandResult[]) {
    for (const r of results) {
      remember(r.state);
      if (r.events.length > 0) deps.onCommitted?.(r);
    }
  }

  async function execute(req: CommandRequest): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await deps.db.transaction().execute((trx) => run(trx, req));
        committed([result]);
        return result;
      } catch (e) {
        if (isUniqueViolation(e) && attempt < MAX_ATTEMPTS) {
          cache.delete(req.incidentId); // someone else appended: reload from the log
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        if (isUniqueViolation(e)) throw new DomainError('conflict', 'Too many simultaneous changes to this incident; please try again.');
        throw e;
      }
    }
  }

  return {
    execute,
    /**
     * Batch writers (alert ingestion) run many commands in one transaction of their own, with a batch
     * from `beginBatch`; they `flushBatch` before committing, retry the whole transaction on a unique
     * violation, and call `committed` with every result once it has committed.
     */
    executeInTransaction: run,
    beginBatch: createIncidentBatch,
    flushBatch: flushIncidentBatch,
    committed,
    load: (orgId: string, incidentId: string) => load(deps.db, orgId, incidentId),
    newIncidentId: () => randomUUID(),
    forget: (id: string) => cache.delete(id),
  };
}
