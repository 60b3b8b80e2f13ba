import { type FSWatcher, promises as fs, watch } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { parseOpenSlo } from '../../slos/openslo.parser';
import type { SloDefinition, SloProblem, SloSet } from '../../slos/slo.types';

export type { SloSet } from '../../slos/slo.types';

export interface SloFiles {
  readonly dir?: string;
  /** Re-reads when a file was added, removed or changed (checked by mtime and size on every call). */
  current(): Promise<SloSet>;
  close(): void;
}

const MAX_FILE_BYTES = 1024 * 1024;
const YAML = /\.ya?ml$/i;

async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(root, r)));
    else if (e.isFile() && YAML.test(e.name)) out.push(r);
  }
  return out.sort();
}

/**
 * OpenSLO files under `dir` (any depth, `.yaml`/`.yml`). A file with a problem keeps the SLOs it had at
 * its last good read, so a half-saved edit never drops an SLO; the problem is logged once and reported.
 */
export function createSloFiles(dir: string | undefined, opts: { logger?: Logger; watch?: boolean } = {}): SloFiles {
  let signature = '';
  let state: SloSet = { slos: [], problems: [] };
  const lastGood = new Map<string, SloDefinition[]>();
  let watcher: FSWatcher | undefined;
  let loading: Promise<SloSet> | undefined;
  const root = dir ? path.resolve(dir) : undefined;

  async function load(): Promise<SloSet> {
    if (!root) return state;
    let files: string[];
    try {
      files = await listFiles(root);
    } catch (e) {
      const message = `SLOS_PATH ${root} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      if (state.problems[0]?.message !== message) opts.logger?.warn({ dir: root }, message);
      state = { ...state, problems: [{ file: '.', message }] };
      signature = '';
      return state;
    }
    const stats = await Promise.all(files.map((f) => fs.stat(path.join(root, f)).catch(() => undefined)));
    const sig = files.map((f, i) => `${f}:${stats[i]?.mtimeMs}:${stats[i]?.size}`).join('|');
    if (sig === signature) return state;
    const texts: Array<{ file: string; text: string }> = [];
    const problems: SloProblem[] = [];
    for (const [i, file] of files.entries()) {
      if ((stats[i]?.size ?? 0) > MAX_FILE_BYTES) {
        problems.push({ file, message: `over ${MAX_FILE_BYTES} bytes; skipped` });
        continue;
      }
      try {
        texts.push({ file, text: await fs.readFile(path.join(root, file), 'utf8') });
      } catch (e) {
        problems.push({ file, message: `cannot be read: ${(e as Error).message}` });
      }
    }
    const parsed = parseOpenSlo(texts);
    problems.push(...parsed.problems);
    const bad = new Set(problems.map((p) => p.file));
    const slos: SloDefinition[] = [];
    const names = new Set<string>();
    for (const file of files) {
      const fresh = parsed.slos.filter((s) => s.file === file);
      // A file with a problem keeps what it had; one without replaces it.
      const use = bad.has(file) ? (lastGood.get(file) ?? fresh) : fresh;
      if (!bad.has(file)) lastGood.set(file, fresh);
      for (const s of use) {
        if (names.has(s.name)) continue;
        names.add(s.name);
        slos.push(s);
      }
    }
    for (const f of [...lastGood.keys()]) if (!files.includes(f)) lastGood.delete(f);
    for (const p of problems) opts.logger?.warn({ file: p.file, slo: p.name }, `SLO file problem: ${p.message}`);
    signature = sig;
    state = { slos, problems, loadedAt: new Date().toISOString() };
    return state;
  }

  function startWatching() {
    if (!root || watcher || opts.watch === false) return;
    try {
      watcher = watch(root, { persistent: false, recursive: true }, () => (signature = ''));
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // the stat signature still notices changes
    }
  }

  return {
    dir: root,
    async current() {
      startWatching();
      loading ??= load().finally(() => (loading = undefined));
      return loading;
    },
    close() {
      watcher?.close();
      watcher = undefined;
    },
  };
}
