import { createHash } from 'node:crypto';
import type { DB } from './schema';
import { searchDocumentOf, writeSearchDocument } from './search.repo';

export interface SearchIndexer {
  /** Ask for an incident to be re-indexed soon; repeated asks within the delay fold into one. */
  schedule(orgId: string, incidentId: string): void;
  /** Index everything pending now and wait for it. */
  flush(): Promise<void>;
  /** Flush, then ignore further schedules. */
  close(): Promise<void>;
}

/** Documents remembered to skip unchanged rewrites; past this many the memory starts over (one rewrite each). */
const MAX_REMEMBERED = 10_000;

/**
 * Re-indexes incidents after commits, off the request path. An alert storm commits many times per
 * incident; the delay folds those into one rebuild, and a document that has not changed since this
 * indexer last wrote it is not written again (a storm past its sampled signal titles, say): the write
 * is the costly part, FTS5 tokenises the old document to delete it and the new one to insert it.
 * That memory is this process's: with several replicas, a note edited on another replica and edited back
 * here before this one re-indexes leaves the other's version indexed until the next change.
 * Failures are reported, never thrown: search is a convenience and `reindexAllIncidents` repairs it.
 */
export function createSearchIndexer(db: DB, opts: { delayMs?: number; onError?: (e: unknown, orgId: string, incidentId: string) => void } = {}): SearchIndexer {
  const delay = opts.delayMs ?? 500;
  const pending = new Map<string, { orgId: string; incidentId: string }>();
  const written = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  async function index(key: string, orgId: string, incidentId: string): Promise<void> {
    const doc = await searchDocumentOf(db, orgId, incidentId);
    const digest = doc ? createHash('sha1').update(doc.title).update('\u0000').update(doc.body).digest('base64') : '';
    if (written.get(key) === digest) return;
    // Forget first: if the write fails, the next schedule must write rather than trust a stale digest.
    written.delete(key);
    await writeSearchDocument(db, orgId, incidentId, doc);
    if (written.size >= MAX_REMEMBERED) written.clear();
    written.set(key, digest);
  }

  function run(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = [...pending];
    pending.clear();
    running = running.then(async () => {
      for (const [key, { orgId, incidentId }] of batch) {
        try {
          await index(key, orgId, incidentId);
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
