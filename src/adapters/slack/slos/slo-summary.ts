import { sloViolationsOf } from '../../../app/slo-violations.service';
import type { DB, IncidentRow } from '../../db/schema';
import { withSloLine } from './slo.blocks';

/** The pinned summary with its SLO line when SLOs were breached during the incident. */
export async function summaryWithSlos<T extends { text: string; blocks: unknown[] }>(
  db: DB,
  inc: IncidentRow,
  summary: T,
): Promise<T> {
  try {
    return withSloLine(summary, await sloViolationsOf({ db }, inc.org_id, inc.id));
  } catch {
    // The summary must go out even if the SLO lookup fails.
    return summary;
  }
}
