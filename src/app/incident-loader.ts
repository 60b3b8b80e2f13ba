import { loadEvents } from '../adapters/db/event-store';
import type { DB, Trx } from '../adapters/db/schema';
import { loadEventsOfMany, lockStream, lockStreams, tryLockAndLoad } from '../adapters/db/stream-locks';
import { fold } from '../incidents/incident.decider';
import { type IncidentState, initialState } from '../incidents/incident.types';
import type { IncidentBatch } from './incident-batch';

const CACHE_LIMIT = 2000;

/**
 * How the incident service reads a stream's state: a bounded cache of committed states (events are
 * immutable, so a cached state only needs the events after its version) and, on Postgres, the stream's
 * advisory lock taken with the read in as few round trips as it can.
 */
export function createIncidentLoader(pg: boolean) {
  const cache = new Map<string, IncidentState>();

  /** What is known without reading: this transaction's state, else the committed cache, else nothing. */
  function base(orgId: string, incidentId: string, local?: Map<string, IncidentState>): IncidentState {
    const known = local?.get(incidentId) ?? cache.get(incidentId);
    return known && known.orgId === orgId ? known : initialState(incidentId, orgId);
  }

  async function load(db: DB | Trx, orgId: string, incidentId: string, local?: Map<string, IncidentState>) {
    const b = base(orgId, incidentId, local);
    return fold(b, await loadEvents(db, orgId, incidentId, b.version));
  }

  return {
    load,
    /**
     * Lock `key` (Postgres) and read the incident. A free lock and the read share one round trip; when the
     * lock is held, wait for it and read again (the first read's snapshot predates the wait).
     */
    async lockedLoad(trx: Trx, key: string, orgId: string, incidentId: string, local?: Map<string, IncidentState>) {
      if (!pg) return load(trx, orgId, incidentId, local);
      const b = base(orgId, incidentId, local);
      const events = await tryLockAndLoad(trx, key, orgId, incidentId, b.version);
      if (events) return fold(b, events);
      await lockStream(trx, key);
      return load(trx, orgId, incidentId, local);
    },
    /**
     * Postgres: lock and read the incidents of `ids` this unit has not touched yet, two round trips for all
     * of them instead of two each; their commands then find them current (locked) in the batch.
     */
    async preload(trx: Trx, orgId: string, ids: readonly string[], batch: IncidentBatch): Promise<void> {
      if (!pg) return;
      const todo = [...new Set(ids)].filter((id) => !batch.states.has(id)).sort();
      if (todo.length < 2) return;
      await lockStreams(trx, todo);
      const bases = todo.map((id) => base(orgId, id));
      const events = await loadEventsOfMany(
        trx,
        orgId,
        bases.map((b) => [b.id, b.version] as const),
      );
      for (const b of bases) batch.states.set(b.id, fold(b, events.get(b.id)!));
    },
    remember(state: IncidentState) {
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
      cache.delete(state.id);
      cache.set(state.id, state);
    },
    forget: (id: string) => cache.delete(id),
  };
}
