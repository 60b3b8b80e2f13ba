import { userActor } from '../../app/access.service';
import type { AppDeps } from '../../app/deps';
import { type HealthRow, viewHealthGrid } from '../../app/health-grid.service';
import { canSeeIncident } from '../../incidents/incident.permissions';
import type { ConsoleUser } from './console-session';
import { orgPath } from './console.layout';

const pct = (v: number | undefined, digits = 2) => (v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);
const LABEL: Record<HealthRow['status'], string> = { healthy: 'healthy', at_risk: 'at risk', breached: 'breached', unknown: 'unknown' };

/**
 * The health grid (catalog services, SLO attainment, budget, burn, open incidents) from the same service as
 * `/incident health`; an incident the viewer may not see is left out of its row.
 */
export async function healthFor(deps: AppDeps, user: ConsoleUser): Promise<{ rows: HealthRow[]; sloProblems: number }> {
  const actor = userActor(user.userId, user.role);
  const grid = await viewHealthGrid(deps, { orgId: user.orgId, actor });
  const rows: HealthRow[] = [];
  for (const r of grid.rows) {
    const incidents = [];
    for (const i of r.incidents) if (canSeeIncident(actor, await deps.incidents.load(user.orgId, i.id)).allowed) incidents.push(i);
    rows.push({ ...r, incidents });
  }
  return { rows, sloProblems: grid.sloProblems };
}

export function HealthTable({ rows, user, caption }: { rows: HealthRow[]; user: ConsoleUser; caption: string }) {
  return (
    <table class="grid health">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Status</th>
          <th scope="col">SLOs (attainment / target, budget left, burn)</th>
          <th scope="col">Owner</th>
          <th scope="col">Open incidents</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colspan={5}>No services in the catalog or the SLO files yet.</td>
          </tr>
        )}
        {rows.map((r) => (
          <tr>
            <td>
              {r.service}
              {r.tier !== undefined && ` (tier ${r.tier})`}
            </td>
            <td>
              <span class={`badge health-${r.status}`}>{LABEL[r.status]}</span>
              {r.reasons.length > 0 && <span class="why">{r.reasons.join('; ')}</span>}
            </td>
            <td>
              {r.slos.length === 0
                ? '—'
                : r.slos.map((s) => (
                    <div>
                      {s.name}: {pct(s.attainment)} / {pct(s.target)} over {s.window}, budget {pct(s.budgetRemaining, 0)}
                      {s.burnRate !== undefined && `, burn ${s.burnRate.toFixed(1)}×`}
                      {s.problem && <span class="why">{s.problem}</span>}
                    </div>
                  ))}
            </td>
            <td>{r.owner ?? '—'}</td>
            <td>
              {r.incidents.length === 0
                ? '—'
                : r.incidents.map((i) => (
                    <div>
                      <a href={orgPath(user.orgId, `incidents/${encodeURIComponent(i.id)}`)}>INC-{i.number}</a> {i.severity} {i.status.toLowerCase()}
                    </div>
                  ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
