import { type FSWatcher, promises as fs, watch } from 'node:fs';
import path from 'node:path';
import type { Runbook } from '../../guidance/guidance.types';
import { parseRunbook } from '../../guidance/runbook.parser';
import { DomainError } from '../../shared/domain-error';
import type { DB } from '../db/schema';

/** Service names double as file names: no separators, no dot-dot, nothing exotic. */
const SERVICE = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_RUNBOOK_MARKDOWN = 200_000;
const MAX_URL = 2000;

/** `Payments API` → `payments-api`; throws on names that could escape the folder. */
export function normaliseService(service: string): string {
  const s = service.trim().toLowerCase().replace(/\s+/g, '-');
  if (!SERVICE.test(s) || s.includes('..')) {
    throw new DomainError('invalid_input', 'A service name may use letters, digits, dots, dashes and underscores (at most 100 characters).');
  }
  return s;
}

export interface LoadedRunbook {
  service: string;
  source: 'db' | 'file';
  /** Parsed steps; absent when the DB only stores a link and no file exists. */
  runbook?: Runbook;
  markdown?: string;
  url?: string;
  /** File path when the content came from RUNBOOKS_DIR. */
  path?: string;
  updatedBy?: string;
  updatedAt?: string;
}

export interface RunbookFiles {
  readonly dir: string;
  get(service: string): Promise<LoadedRunbook | undefined>;
  /** Services with a `<service>.md` file. */
  list(): Promise<string[]>;
  close(): void;
}

interface CacheEntry {
  file: string;
  mtimeMs: number;
  size: number;
  loaded: LoadedRunbook;
}

/**
 * Runbooks from `dir/<service>.md` (names matched case-insensitively). Reads are cached and
 * re-validated by mtime and size on every read, so a change is picked up even where fs.watch is
 * unreliable (network and container mounts); the watcher only invalidates sooner.
 */
export function createRunbookFiles(dir: string, opts: { watch?: boolean } = {}): RunbookFiles {
  const root = path.resolve(dir);
  const cache = new Map<string, CacheEntry>();
  const dirty = new Set<string>();
  let listing: { mtimeMs: number; byService: Map<string, string> } | undefined;
  let watcher: FSWatcher | undefined;
  let closed = false;

  function startWatching() {
    if (watcher || closed || opts.watch === false) return;
    try {
      watcher = watch(root, { persistent: false }, (_event, filename) => {
        listing = undefined;
        if (filename) dirty.add(String(filename).toLowerCase().replace(/\.md$/, ''));
        else cache.clear();
      });
      watcher.on('error', () => {
        // e.g. the folder was removed: fall back to stat checks and try again on a later read.
        watcher?.close();
        watcher = undefined;
        listing = undefined;
      });
    } catch {
      watcher = undefined;
    }
  }

  async function files(): Promise<Map<string, string>> {
    let st;
    try {
      st = await fs.stat(root);
    } catch {
      listing = undefined;
      return new Map();
    }
    startWatching();
    if (listing && listing.mtimeMs === st.mtimeMs) return listing.byService;
    const byService = new Map<string, string>();
    for (const name of await fs.readdir(root).catch(() => [] as string[])) {
      if (!name.toLowerCase().endsWith('.md')) continue;
      const service = name.slice(0, -3).toLowerCase();
      if (SERVICE.test(service) && !byService.has(service)) byService.set(service, path.join(root, name));
    }
    listing = { mtimeMs: st.mtimeMs, byService };
    return byService;
  }

  async function get(service: string): Promise<LoadedRunbook | undefined> {
    const key = normaliseService(service);
    const file = (await files()).get(key);
    if (!file) {
      cache.delete(key);
      return undefined;
    }
    let st;
    try {
      st = await fs.stat(file);
    } catch {
      cache.delete(key);
      listing = undefined;
      return undefined;
    }
    const hit = cache.get(key);
    if (hit && !dirty.has(key) && hit.file === file && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.loaded;
    dirty.delete(key);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const markdown = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (markdown === undefined) return undefined;
    const loaded: LoadedRunbook = { service: key, source: 'file', markdown, runbook: parseRunbook(markdown, key), path: file, updatedAt: st.mtime.toISOString() };
    cache.set(key, { file, mtimeMs: st.mtimeMs, size: st.size, loaded });
    return loaded;
  }

  return {
    dir: root,
    get,
    list: async () => [...(await files()).keys()].sort(),
    close() {
      closed = true;
      watcher?.close();
      watcher = undefined;
    },
  };
}

/** The org's runbook for a service: a DB runbook wins over the file; a link-only DB entry keeps the file's steps. */
export async function getRunbook(db: DB, files: RunbookFiles | undefined, orgId: string, service: string): Promise<LoadedRunbook | undefined> {
  let key: string;
  try {
    key = normaliseService(service);
  } catch {
    return undefined; // a lookup: an impossible name simply has no runbook
  }
  const row = await db.selectFrom('runbooks').selectAll().where('org_id', '=', orgId).where('service', '=', key).executeTakeFirst();
  const file = await files?.get(key);
  if (!row) return file;
  const base = { service: key, source: 'db' as const, url: row.url ?? undefined, updatedBy: row.updated_by, updatedAt: row.updated_at };
  if (row.markdown) return { ...base, markdown: row.markdown, runbook: parseRunbook(row.markdown, key) };
  return { ...base, markdown: file?.markdown, runbook: file?.runbook, path: file?.path };
}

export interface SetRunbookInput {
  orgId: string;
  service: string;
  markdown?: string;
  url?: string;
  userId: string;
  now: Date;
}

/** Store (or replace) the org's runbook for a service. The caller checks the user's role first. */
export async function setRunbook(db: DB, input: SetRunbookInput): Promise<LoadedRunbook> {
  const service = normaliseService(input.service);
  const markdown = input.markdown?.trim() || undefined;
  const url = input.url?.trim() || undefined;
  if (!markdown && !url) throw new DomainError('invalid_input', 'Give the runbook as markdown or as a link.');
  if (markdown && markdown.length > MAX_RUNBOOK_MARKDOWN) {
    throw new DomainError('invalid_input', `The runbook is ${markdown.length} characters; the limit is ${MAX_RUNBOOK_MARKDOWN}.`);
  }
  if (url && (url.length > MAX_URL || !/^https?:\/\/[^\s<>]+$/i.test(url))) {
    throw new DomainError('invalid_input', 'The runbook link must be an http(s) URL.');
  }
  const row = { org_id: input.orgId, service, markdown: markdown ?? null, url: url ?? null, updated_by: input.userId, updated_at: input.now.toISOString() };
  await db
    .insertInto('runbooks')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'service']).doUpdateSet({ markdown: row.markdown, url: row.url, updated_by: row.updated_by, updated_at: row.updated_at }))
    .execute();
  return { service, source: 'db', markdown, url, runbook: markdown ? parseRunbook(markdown, service) : undefined, updatedBy: input.userId, updatedAt: row.updated_at };
}

/** Remove the org's DB runbook so the file (if any) applies again. Returns whether one existed. */
export async function deleteRunbook(db: DB, orgId: string, service: string): Promise<boolean> {
  const res = await db.deleteFrom('runbooks').where('org_id', '=', orgId).where('service', '=', normaliseService(service)).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Services with a runbook for this org, from the DB and the folder. */
export async function listRunbookServices(db: DB, files: RunbookFiles | undefined, orgId: string): Promise<string[]> {
  const rows = await db.selectFrom('runbooks').select('service').where('org_id', '=', orgId).execute();
  return [...new Set([...rows.map((r) => r.service), ...((await files?.list()) ?? [])])].sort();
}
