import { readFileSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import {
  type ChangesMapping,
  EMPTY_MAPPING,
  type MappingSource,
  parseChangesMapping,
} from '../../changes/change.mapping';

/**
 * `CHANGES_MAPPING_PATH`, re-read when it changes on disk (checked at most once a second). A file that
 * does not parse or validate is reported (logged once per version, and kept in `problems()`) and the
 * last good mapping stays in force, so a typo never switches rollbacks off mid-incident.
 */
export function createMappingFile(
  path: string | undefined,
  logger: Pick<Logger, 'warn' | 'info'>,
): MappingSource & { reload(): void } {
  if (!path) return { current: () => EMPTY_MAPPING, problems: () => [], reload: () => undefined };
  let good: ChangesMapping = EMPTY_MAPPING;
  let problems: string[] = [];
  let seen = '';
  let checkedAt = 0;

  function load() {
    checkedAt = Date.now();
    let stamp: string;
    try {
      const st = statSync(path!);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === seen) return;
    seen = stamp;
    if (stamp === 'missing') {
      problems = [`${path}: file not found`];
      logger.warn({ path }, 'changes mapping file not found; keeping the previous mapping');
      return;
    }
    let doc: unknown;
    try {
      doc = parse(readFileSync(path!, 'utf8'));
    } catch (e) {
      problems = [`${path}: not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`];
      logger.warn({ path, problems }, 'changes mapping file is invalid; keeping the previous mapping');
      return;
    }
    const r = parseChangesMapping(doc);
    if (!r.ok) {
      problems = r.problems.map((p) => `${path}: ${p}`);
      logger.warn({ path, problems }, 'changes mapping file is invalid; keeping the previous mapping');
      return;
    }
    good = r.mapping;
    problems = [];
    logger.info({ path, services: Object.keys(good.rollback).length }, 'changes mapping loaded');
  }

  load();
  return {
    reload: load,
    current() {
      if (Date.now() - checkedAt >= 1000) load();
      return good;
    },
    problems() {
      if (Date.now() - checkedAt >= 1000) load();
      return problems;
    },
  };
}
