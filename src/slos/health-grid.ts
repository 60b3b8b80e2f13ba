import type { SloStatus } from './slo.types';

/**
 * The health grid: one row per catalog service, coloured by the worst of what is known about it. Pure.
 *   breached — an open incident on it, a BREACHED watchlist entry, or an SLO breached (page burn or budget spent)
 *   at_risk  — an AT_RISK watchlist entry, or an SLO at risk (ticket burn)
 *   unknown  — one of its SLOs could not be evaluated (Prometheus down, no data…): never shown as healthy
 *   healthy  — none of these (a service without SLOs and without alerts is healthy)
 */

export interface GridSlo {
  name: string;
  service: string;
  target: number;
  window: string;
  /** The latest evaluation's status (unknown when it failed). */
  status: SloStatus;
  /** From the last evaluation that had numbers (kept while Prometheus is away). */
  attainment?: number;
  budgetRemaining?: number;
  /** The 1h burn rate (the page window), or the 5m one if that is all there is. */
  burnRate?: number;
  evaluatedAt?: string;
  problem?: string;
}

export interface GridIncident {
  id: string;
  number: number;
  title: string;
  severity: string;
  status: string;
  service: string | null;
  channelId: string | null;
}

export interface GridWatch {
  service: string;
  environment: string;
  status: 'AT_RISK' | 'BREACHED' | 'CLEARED';
  title: string;
}

export interface HealthRow {
  service: string;
  owner?: string;
  tier?: number;
  /** Listed by an SLO or an alert but not in the catalog. */
  uncatalogued?: boolean;
  status: SloStatus;
  reasons: string[];
  slos: GridSlo[];
  watch?: GridWatch;
  incidents: GridIncident[];
}

const RANK: Record<SloStatus, number> = { breached: 3, at_risk: 2, unknown: 1, healthy: 0 };
const worse = (a: SloStatus, b: SloStatus) => (RANK[b] > RANK[a] ? b : a);
const key = (s: string) => s.trim().toLowerCase();

export function healthRows(input: {
  services: ReadonlyArray<{ name: string; owner?: string; tier?: number }>;
  slos: readonly GridSlo[];
  watch: readonly GridWatch[];
  incidents: readonly GridIncident[];
}): HealthRow[] {
  const rows = new Map<string, HealthRow>();
  const row = (name: string, uncatalogued: boolean) => {
    let r = rows.get(key(name));
    if (!r)
      rows.set(
        key(name),
        (r = {
          service: key(name),
          status: 'healthy',
          reasons: [],
          slos: [],
          incidents: [],
          ...(uncatalogued ? { uncatalogued } : {}),
        }),
      );
    return r;
  };
  for (const s of input.services) Object.assign(row(s.name, false), { owner: s.owner, tier: s.tier });
  for (const s of input.slos) {
    const r = row(s.service, !rows.has(key(s.service)));
    r.slos.push(s);
    r.status = worse(r.status, s.status);
    if (s.status !== 'healthy')
      r.reasons.push(`SLO ${s.name} ${s.status.replace('_', ' ')}${s.problem ? `: ${s.problem}` : ''}`);
  }
  for (const w of input.watch) {
    if (w.status === 'CLEARED' || !rows.has(key(w.service))) continue; // alerts on uncatalogued services stay on the watchlist
    const r = row(w.service, false);
    if (!r.watch || (w.status === 'BREACHED' && r.watch.status !== 'BREACHED')) r.watch = w;
    r.status = worse(r.status, w.status === 'BREACHED' ? 'breached' : 'at_risk');
    r.reasons.push(`watchlist ${w.status === 'BREACHED' ? 'breached' : 'at risk'}: ${w.title}`);
  }
  for (const i of input.incidents) {
    if (!i.service || !rows.has(key(i.service))) continue;
    const r = row(i.service, false);
    r.incidents.push(i);
    r.status = worse(r.status, 'breached');
    r.reasons.push(`open incident INC-${i.number}`);
  }
  // Worst first, then tier (1 before 4, none last), then name.
  return [...rows.values()].sort(
    (a, b) => RANK[b.status] - RANK[a.status] || (a.tier ?? 9) - (b.tier ?? 9) || a.service.localeCompare(b.service),
  );
}
