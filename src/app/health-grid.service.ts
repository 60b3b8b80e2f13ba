import { listIncidents } from '../adapters/db/incident.queries';
import { loadWatchlist } from '../adapters/db/watchlist.repo';
import { canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { type GridSlo, type HealthRow, healthRows } from '../slos/health-grid';
import { catalogOf } from './catalog.service';
import type { AppDeps } from './deps';
import { listSlos, type SloFeature, type SloView } from './slo.service';

export type { HealthRow } from '../slos/health-grid';

/** Enough for every service's entry; the grid is for a catalog of hundreds, not an alert storm. */
const WATCH_LIMIT = 1000;
const OPEN_LIMIT = 500;

/** The CLI has no running SLO service: the files are enough for the grid. */
export type HealthDeps = Pick<AppDeps, 'db' | 'config' | 'catalog'> & { slos?: Pick<SloFeature, 'source'> };

const gridSlo = (s: SloView): GridSlo => {
  const good = s.lastGood;
  const rates = good?.burnRates ?? {};
  return {
    name: s.name,
    service: s.service,
    target: s.target,
    window: s.window,
    status: s.latest?.status ?? 'unknown',
    ...(good?.sli !== undefined ? { attainment: good.sli } : {}),
    ...(good?.budgetRemaining !== undefined ? { budgetRemaining: good.budgetRemaining } : {}),
    ...(rates['1h'] !== undefined || rates['5m'] !== undefined ? { burnRate: rates['1h'] ?? rates['5m'] } : {}),
    ...(s.latest ? { evaluatedAt: s.latest.at } : {}),
    ...(s.latest?.problem ? { problem: s.latest.problem } : s.latest ? {} : { problem: 'not evaluated yet' }),
  };
};

/**
 * The health grid's rows for an org: every catalog service (then services only SLOs name), with owner, tier,
 * colour, SLO attainment vs target, budget left, current burn, and open incidents. Used by `/incident health`,
 * App Home, `GET /services` and the web console.
 */
export async function healthGrid(deps: HealthDeps, orgId: string): Promise<{ rows: HealthRow[]; sloProblems: number }> {
  const [slos, watch, open] = await Promise.all([
    deps.slos ? listSlos({ db: deps.db, config: deps.config, sloSource: deps.slos.source }, orgId) : undefined,
    loadWatchlist(deps.db, orgId, WATCH_LIMIT),
    listIncidents(deps.db, orgId, 'open', OPEN_LIMIT),
  ]);
  const rows = healthRows({
    services: catalogOf(deps).services,
    slos: (slos?.slos ?? []).map(gridSlo),
    watch: watch.entries,
    incidents: open.map((i) => ({
      id: i.id,
      number: Number(i.number),
      title: i.title,
      severity: i.severity,
      status: i.status,
      service: i.service,
      channelId: i.channel_id,
    })),
  });
  return { rows, sloProblems: slos?.problems.length ?? 0 };
}

/** The same, checked: every member may look. */
export async function viewHealthGrid(deps: HealthDeps, input: { orgId: string; actor: Actor }) {
  requirePermission(canView(input.actor));
  return healthGrid(deps, input.orgId);
}

export async function serviceHealth(deps: HealthDeps, input: { orgId: string; actor: Actor; service: string }) {
  const { rows } = await viewHealthGrid(deps, input);
  const row = rows.find((r) => r.service === input.service.trim().toLowerCase());
  if (!row)
    throw new DomainError('not_found', `No service "${input.service.slice(0, 100)}" in the catalog or the SLO files.`);
  return row;
}

/** `GET /slos`: every SLO of the org with its latest and last good evaluation, and the files' problems. */
export async function viewSlos(deps: HealthDeps, input: { orgId: string; actor: Actor }) {
  requirePermission(canView(input.actor));
  if (!deps.slos) return { slos: [], problems: [] };
  return listSlos({ db: deps.db, config: deps.config, sloSource: deps.slos.source }, input.orgId);
}
