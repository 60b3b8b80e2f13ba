import { type ChangeEvent, STATUS_RANK } from './change.types';

/**
 * How one delivery changes a stored deployment. Repeats (same externalId and status) change nothing;
 * an update older than what is stored is kept in the history but does not move the deployment back.
 */
export type FoldOutcome = 'created' | 'updated' | 'duplicate' | 'stale';

export interface FoldState {
  status: ChangeEvent['status'];
  statusAt: string;
  /** Statuses already recorded for this deployment. */
  seen: ReadonlyArray<ChangeEvent['status']>;
}

/** Is `incoming` later than `current` (by time, then terminal over in-flight)? */
export function isNewer(
  incoming: Pick<ChangeEvent, 'status' | 'statusAt'>,
  current: Pick<ChangeEvent, 'status' | 'statusAt'>,
): boolean {
  if (incoming.statusAt !== current.statusAt) return incoming.statusAt > current.statusAt;
  return STATUS_RANK[incoming.status] > STATUS_RANK[current.status];
}

export function foldChange(current: FoldState | undefined, incoming: ChangeEvent): FoldOutcome {
  if (!current) return 'created';
  if (current.seen.includes(incoming.status)) return 'duplicate';
  return isNewer(incoming, current) ? 'updated' : 'stale';
}

/** Folds a whole stream (any order) into one state per deployment: what the store converges to. */
export function foldAll(events: readonly ChangeEvent[]): Map<string, ChangeEvent> {
  const out = new Map<string, ChangeEvent>();
  const seen = new Map<string, Set<string>>();
  for (const e of events) {
    const key = `${e.source}\u001f${e.externalId}`;
    const cur = out.get(key);
    const statuses = seen.get(key) ?? new Set<string>();
    const outcome = foldChange(
      cur && { status: cur.status, statusAt: cur.statusAt, seen: [...statuses] as ChangeEvent['status'][] },
      e,
    );
    statuses.add(e.status);
    seen.set(key, statuses);
    if (outcome === 'created' || outcome === 'updated')
      out.set(key, cur ? { ...e, startedAt: minIso(cur.startedAt, e.startedAt) } : e);
  }
  return out;
}

const minIso = (a: string, b: string) => (a < b ? a : b);

export interface EnvironmentVersion {
  service: string;
  environment: string;
  version: string;
  deployedAt: string;
  externalId: string;
  source: string;
  url: string;
  actor: string;
  /** The latest deployment of this environment (any status), when it is not the current one. */
  latest?: { version: string; status: ChangeEvent['status']; at: string };
}

const deployedAt = (d: Pick<ChangeEvent, 'finishedAt' | 'statusAt'>) => d.finishedAt ?? d.statusAt;

/** Each (service, environment)'s current version: its last successful deployment, by time. */
export function currentVersions(deployments: Iterable<ChangeEvent>): EnvironmentVersion[] {
  const best = new Map<string, ChangeEvent>();
  const latest = new Map<string, ChangeEvent>();
  for (const d of deployments) {
    const key = `${d.service}\u001f${d.environment}`;
    const l = latest.get(key);
    if (!l || d.startedAt > l.startedAt) latest.set(key, d);
    if (d.status !== 'success') continue;
    const b = best.get(key);
    if (!b || deployedAt(d) > deployedAt(b)) best.set(key, d);
  }
  return [...best.entries()]
    .map(([key, d]) => {
      const l = latest.get(key)!;
      const behind = l.externalId !== d.externalId || l.source !== d.source;
      return {
        service: d.service,
        environment: d.environment,
        version: d.version,
        deployedAt: deployedAt(d),
        externalId: d.externalId,
        source: d.source,
        url: d.url,
        actor: d.actor,
        ...(behind ? { latest: { version: l.version, status: l.status, at: l.statusAt } } : {}),
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.environment.localeCompare(b.environment));
}

/** Deployments of `service` that finished (or started) in the `windowMs` before `before`: the suspects. */
export function changesBefore(
  deployments: Iterable<ChangeEvent>,
  service: string,
  before: string,
  windowMs: number,
): ChangeEvent[] {
  const from = new Date(Date.parse(before) - windowMs).toISOString();
  return [...deployments]
    .filter((d) => d.service === service && d.startedAt <= before && (d.finishedAt ?? d.statusAt) >= from)
    .sort((a, b) => (b.finishedAt ?? b.statusAt).localeCompare(a.finishedAt ?? a.statusAt));
}
