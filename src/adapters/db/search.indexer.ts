import type { DB } from './schema';
import { indexIncident } from './search.repo';

export interface SearchIndexer {
  /** Ask for an incident to be re-indexed soon; repeated asks within the delay fold into one. */
  schedule(orgId: string, incidentId: string): void;
  /** Index everything pending now and wait for it. */
  flush(): Promise<void>;
  /** Flush, then ignore further schedules. */
  close(): Promise<void>;
}

/**
 * Re-indexes incidents after commits, off the request path. An alert storm commits many times per
 * incident; the delay folds those into one rebuild. Failures are reported, never thrown: search is
 * a convenience and `reindexAllIncidents` repairs it.
 */
export function createSearchIndexer(db: DB, opts: { delayMs?: number; onError?: (e: unknown, orgId: string, incidentId: string) => void } = {}): SearchIndexer {
  const delay = opts.delayMs ?? 500;
  const pending = new Map<string, { orgId: string; incidentId: string }>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  function run(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = [...pending.values()];
    pending.clear();
    running = running.then(async () => {
      for (const { orgId, incidentId } of batch) {
        try {
          await indexIncident(db, orgId, incidentId);
        } catch (e) {
          opts.onError?.(e, orgId, incidentId);
        }
      }
    });
    return running;
  }

  return {
    schedule(orgId, incidentId) {
      if (closed) return;
      pending.set(`${orgId}\u0000${incidentId}`, { orgId, incidentId });
      if (!timer) {
        timer = setTimeout(() => void run(), delay);
        timer.unref();
      }
    },
    flush: () => run(),
    async close() {
      closed = true;
      await run();
    },
  };
}
