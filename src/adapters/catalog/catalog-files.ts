import { type FSWatcher, promises as fs, watch } from 'node:fs';
import path from 'node:path';
import { buildCatalog } from '../../catalog/catalog.build';
import {
  mergeCatalogFiles,
  MAX_CATALOG_FILE_BYTES,
  parseCatalogFile,
  type ParsedCatalogFile,
} from '../../catalog/catalog.parser';
import { type Catalog, type CatalogProblem, EMPTY_CATALOG } from '../../catalog/catalog.types';

/*
 * The catalog from CATALOG_PATH: a folder (searched a few levels deep) of Backstage `*.yaml`/`*.yml` files, or one
 * file. Loaded at start, then re-read when the folder changes (fs.watch) and by a stat poll (watchers are unreliable
 * on network and container mounts). A file that stops parsing keeps its last good version; an unreadable folder
 * keeps the whole previous state. Either way the problem is reported.
 */

const MAX_FILES = 2000;
const MAX_DEPTH = 4;
const MAX_RUNBOOK_BYTES = 1024 * 1024;

export interface CatalogFiles {
  readonly root: string | undefined;
  /** The current good state (empty until the first load). */
  current(): Catalog;
  /** Re-read now; resolves with the state it produced (or kept). */
  reload(): Promise<Catalog>;
  /** A `revenant/runbook` file, read from inside CATALOG_PATH; undefined when absent or outside it. */
  readFile(relative: string): Promise<string | undefined>;
  close(): void;
}

export interface CatalogFilesOptions {
  watch?: boolean;
  /** Stat poll period; 0 turns the poll off (tests call reload()). */
  pollMs?: number;
  now?: () => Date;
  /** Called after each load whose problems differ from the previous load's. */
  onProblems?: (problems: CatalogProblem[]) => void;
  onLoaded?: (catalog: Catalog) => void;
}

interface FileState {
  mtimeMs: number;
  size: number;
  parsed: ParsedCatalogFile;
  /** The last version that parsed without problems, kept while the file is broken. */
  good?: ParsedCatalogFile & { at: string };
}

const isYaml = (name: string) => /\.ya?ml$/i.test(name);

export function createCatalogFiles(dir: string | undefined, opts: CatalogFilesOptions = {}): CatalogFiles {
  const root = dir ? path.resolve(dir) : undefined;
  const now = opts.now ?? (() => new Date());
  const files = new Map<string, FileState>();
  let state: Catalog = EMPTY_CATALOG;
  let lastProblems = '';
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<Catalog> | undefined;
  let again = false;
  let closed = false;

  async function list(): Promise<string[] | { error: string }> {
    if (!root) return [];
    let st;
    try {
      st = await fs.stat(root);
    } catch (e) {
      return {
        error: `CATALOG_PATH ${root} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      };
    }
    singleFile = st.isFile();
    if (singleFile) return [path.basename(root)];
    const out: string[] = [];
    const visit = async (rel: string, depth: number) => {
      const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (out.length >= MAX_FILES || e.name.startsWith('.') || e.name === 'node_modules') continue;
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory() && depth < MAX_DEPTH) await visit(child, depth + 1);
        else if (e.isFile() && isYaml(e.name)) out.push(child);
      }
    };
    await visit('', 0);
    return out;
  }

  // CATALOG_PATH may name one file: then its only "relative" name is its base name.
  let singleFile = false;
  const abs = (rel: string) => (singleFile ? root! : path.join(root!, rel));

  async function readOne(file: string): Promise<ParsedCatalogFile> {
    const rel = file;
    const full = abs(rel);
    let st;
    try {
      st = await fs.stat(full);
    } catch {
      files.delete(rel);
      return { entities: [], problems: [] }; // removed between listing and reading
    }
    const hit = files.get(rel);
    let fresh = hit;
    if (!hit || hit.mtimeMs !== st.mtimeMs || hit.size !== st.size) {
      const parsed: ParsedCatalogFile =
        st.size > MAX_CATALOG_FILE_BYTES
          ? { entities: [], problems: [{ file, message: `larger than ${MAX_CATALOG_FILE_BYTES} bytes; skipped` }] }
          : await fs.readFile(full, 'utf8').then(
              (text) => parseCatalogFile(file, text),
              (e: Error) => ({ entities: [], problems: [{ file, message: `cannot be read: ${e.message}` }] }),
            );
      const good = parsed.problems.length === 0 ? { ...parsed, at: now().toISOString() } : hit?.good;
      fresh = { mtimeMs: st.mtimeMs, size: st.size, parsed, good };
      files.set(rel, fresh);
    }
    const f = fresh!;
    if (f.parsed.problems.length && f.good) {
      const kept = `; keeping the version loaded at ${f.good.at}`;
      return {
        entities: f.good.entities,
        problems: f.parsed.problems.map((p) => ({ ...p, message: p.message + kept })),
      };
    }
    return f.parsed;
  }

  async function load(): Promise<Catalog> {
    const names = await list();
    if (!Array.isArray(names)) {
      // Keep serving what we had; say why it is stale.
      const problem = { file: root ?? '', message: `${names.error}; keeping the catalog loaded at ${state.loadedAt}` };
      state = { ...state, problems: [problem, ...state.problems.filter((p) => p.file !== problem.file)] };
      report(state);
      return state;
    }
    for (const known of [...files.keys()]) if (!names.includes(known)) files.delete(known);
    const parsed: ParsedCatalogFile[] = [];
    for (const rel of names) parsed.push(await readOne(rel));
    const merged = mergeCatalogFiles(parsed);
    state = buildCatalog(merged.entities, merged.problems, now().toISOString());
    report(state);
    opts.onLoaded?.(state);
    return state;
  }

  function report(c: Catalog) {
    const key = JSON.stringify(c.problems.map((p) => [p.file, p.message.replace(/ at \d{4}-[\d:.TZ-]+/, '')]));
    if (key !== lastProblems) {
      lastProblems = key;
      if (c.problems.length) opts.onProblems?.(c.problems);
    }
  }

  // One load at a time; a change during a load schedules exactly one more.
  function reload(): Promise<Catalog> {
    if (running) {
      again = true;
      return running.then(() => running ?? Promise.resolve(state));
    }
    running = load()
      .catch((e: Error) => {
        state = {
          ...state,
          problems: [{ file: root ?? '', message: `catalog load failed: ${e.message}` }, ...state.problems],
        };
        return state;
      })
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          void reload();
        }
      });
    return running;
  }

  function startWatching() {
    if (!root || closed || opts.watch === false) return;
    try {
      watcher = watch(root, { persistent: false, recursive: true }, () => void reload());
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined; // the poll keeps us current
      });
    } catch {
      watcher = undefined;
    }
  }

  startWatching();
  const pollMs = opts.pollMs ?? 10_000;
  if (root && pollMs > 0) {
    timer = setInterval(() => void reload(), pollMs);
    timer.unref();
  }
  void reload();

  return {
    root,
    current: () => state,
    reload,
    async readFile(relative: string) {
      if (!root) return undefined;
      const base = (await fs.stat(root).catch(() => undefined))?.isFile() ? path.dirname(root) : root;
      const full = path.resolve(base, relative);
      if (full !== base && !full.startsWith(base + path.sep)) return undefined;
      const st = await fs.stat(full).catch(() => undefined);
      if (!st?.isFile() || st.size > MAX_RUNBOOK_BYTES) return undefined;
      return fs.readFile(full, 'utf8').catch(() => undefined);
    },
    close() {
      closed = true;
      watcher?.close();
      watcher = undefined;
      if (timer) clearInterval(timer);
    },
  };
}
