import { changesBefore, SUSPECT_WINDOW_MS } from '../../../app/changes.service';
import type { IncidentRow } from '../../db/schema';
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

/** Deployments of the incident's service in the 2 h before its first signal, latest first. */
export async function suspectChanges(db: DB, inc: IncidentRow): Promise<SuspectChange[]> {
  if (!inc.service) return [];
  const before = await firstSignalAt(db, inc);
  const changes = await changesBefore(
    { db },
    { orgId: inc.org_id, service: inc.service, before, windowMs: SUSPECT_WINDOW_MS },
  );
  const ofEnv = inc.environment ? changes.filter((c) => c.environment === inc.environment) : [];
  return (ofEnv.length ? ofEnv : changes).map((change) => ({ change, before }));
}

/** The pinned summary with its "Changes" line, when the incident's service was deployed shortly before. */
export async function summaryWithChanges<T extends { text: string; blocks: unknown[] }>(
  db: DB,
  inc: IncidentRow,
  summary: T,
): Promise<T> {
  try {
    return withChangesLine(summary, await suspectChanges(db, inc));
  } catch {
    // The summary must go out even if the change lookup fails.
    return summary;
  }
}
