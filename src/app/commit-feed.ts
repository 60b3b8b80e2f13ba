import type { CommandResult } from './incident.service';

export interface CommittedChange {
  orgId: string;
  incidentId: string;
  /** Event types of the commit (the console re-renders on any; the list only cares that something changed). */
  types: string[];
  /** The incident's version after the commit. */
  version: number;
}

export type CommitListener = (change: CommittedChange) => void;

/**
 * In-process fan-out of committed incident events, fed by the unit of work's `onCommitted`, so live views
 * (the console's server-sent events) hear about a change whichever adapter made it. Listeners are per org.
 */
export function createCommitFeed() {
  const byOrg = new Map<string, Set<CommitListener>>();
  return {
    publish(r: Pick<CommandResult, 'orgId' | 'incidentId' | 'events' | 'state'>): void {
      const listeners = byOrg.get(r.orgId);
      if (!listeners || r.events.length === 0) return;
      const change: CommittedChange = { orgId: r.orgId, incidentId: r.incidentId, types: r.events.map((e) => e.type), version: r.state.version };
      for (const l of [...listeners]) {
        try {
          l(change);
        } catch {
          // A broken listener (a closed stream) must not stop the others or the commit path.
        }
      }
    },
    subscribe(orgId: string, listener: CommitListener): () => void {
      let set = byOrg.get(orgId);
      if (!set) byOrg.set(orgId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && byOrg.get(orgId) === set) byOrg.delete(orgId);
      };
    },
    listenerCount(orgId?: string): number {
      if (orgId) return byOrg.get(orgId)?.size ?? 0;
      let n = 0;
      for (const s of byOrg.values()) n += s.size;
      return n;
    },
  };
}

export type CommitFeed = ReturnType<typeof createCommitFeed>;
