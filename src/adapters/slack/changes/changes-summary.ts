import { changesBefore, SUSPECT_WINDOW_MS } from '../../../app/changes.service';
import type { IncidentRow } from '../../db/schema';
import { rollbacksOfIncident } from '../../db/rollback.repo';
import type { DB } from '../../db/schema';
import { type SuspectChange, withChangesLine } from './changes.blocks';

/** The incident's first signal (or, without one, its declaration): where "what changed before" is measured. */
async function firstSignalAt(db: DB, inc: IncidentRow): Promise<string> {
  const row = await db
    .selectFrom('incident_signals')
    .select((eb) => eb.fn.min('attached_at').as('first'))
    .where('org_id', '=', inc.org_id)
    .where('incident_id', '=', inc.id)
    .executeTakeFirst();
  const first = row?.first ? String(row.first) : undefined;
  return first && first < inc.created_at ? first : inc.created_at;
}

/** What the summary may also look at: the services the incident's service depends on (the catalog). */
export interface SuspectScope {
  dependenciesOf?: (service: string) => readonly string[];
}

const MAX_DEPENDENCIES = 10;

/**
 * Deployments of the incident's service in the 2 h before its first signal, latest first; then, once the
 * catalog names them, deployments of the services it depends on (marked as dependencies).
 */
export async function suspectChanges(db: DB, inc: IncidentRow, scope: SuspectScope = {}): Promise<SuspectChange[]> {
  if (!inc.service) return [];
  const before = await firstSignalAt(db, inc);
  const window = (service: string) =>
    changesBefore({ db }, { orgId: inc.org_id, service, before, windowMs: SUSPECT_WINDOW_MS });
  const changes = await window(inc.service);
  const ofEnv = inc.environment ? changes.filter((c) => c.environment === inc.environment) : [];
  const own = (ofEnv.length ? ofEnv : changes).map((change) => ({ change, before }));
  const deps = (scope.dependenciesOf?.(inc.service) ?? []).filter((d) => d !== inc.service).slice(0, MAX_DEPENDENCIES);
  const theirs: SuspectChange[] = [];
  for (const service of deps) for (const change of await window(service)) theirs.push({ change, before, dependency: true });
  return [...own, ...theirs];
}

/** The pinned summary with its "Changes" line, when the incident's service was deployed shortly before. */
export async function summaryWithChanges<T extends { text: string; blocks: unknown[] }>(
  db: DB,
  inc: IncidentRow,
  summary: T,
  scope: SuspectScope = {},
): Promise<T> {
  try {
    const rollbacks = await rollbacksOfIncident(db, inc.org_id, inc.id);
    return withChangesLine(summary, await suspectChanges(db, inc, scope), { incidentId: inc.id, rollbacks });
  } catch {
    // The summary must go out even if the change lookup fails.
    return summary;
  }
}

/** The catalog's "depends on" edges as a SuspectScope (no catalog: the incident's service only). */
export const catalogScope = (catalog?: { graph(): { dependsOn: ReadonlyMap<string, readonly string[]> } }): SuspectScope =>
  catalog ? { dependenciesOf: (service) => catalog.graph().dependsOn.get(service.trim().toLowerCase()) ?? [] } : {};
