import type { DB } from '../adapters/db/schema';
import { budgetNear, type SloViolation, violationsOf } from '../adapters/db/slo.repo';
import { budgetConsumed } from '../slos/burn-rate';

export type { SloViolation } from '../adapters/db/slo.repo';

/**
 * An incident's SLO violations (the read model projected from its SLO page signals) with the budget each
 * burned: the last evaluation before the breach began minus the one at its end (or the latest, while it
 * goes on). Evaluations are not events, so this part is read, not projected.
 */
export async function sloViolationsOf(deps: { db: DB }, orgId: string, incidentId: string): Promise<SloViolation[]> {
  const rows = await violationsOf(deps.db, orgId, incidentId);
  return Promise.all(
    rows.map(async (r) => {
      const before = await budgetNear(deps.db, orgId, r.slo, r.started_at, true);
      const after = await budgetNear(deps.db, orgId, r.slo, r.ended_at ?? '9999-12-31T00:00:00.000Z', false);
      const burned = budgetConsumed(before?.budget, after?.budget);
      const window = after?.window ?? before?.window;
      return {
        slo: r.slo,
        service: r.service,
        startedAt: r.started_at,
        ...(r.ended_at ? { endedAt: r.ended_at } : {}),
        ...(burned !== undefined ? { budgetBurned: burned } : {}),
        ...(window ? { window } : {}),
      };
    }),
  );
}
