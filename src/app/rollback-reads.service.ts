import { listChanges } from '../adapters/db/changes.repo';
import { completedRollbacks, rollbackVersions } from '../adapters/db/rollback.repo';
import { rollbackTargetOf } from '../changes/change.mapping';
import type { ChangeEvent } from '../changes/change.types';
import type { SuspectChangeFact } from '../guidance/guidance.suspect';
import type { IncidentState } from '../incidents/incident.types';
import type { PostmortemChange } from '../postmortems/postmortem.changes';
import { firstSignalAt, type RollbackDeps, SUSPECT_WINDOW_MS } from './rollback.service';

/** Reads about rollbacks for other features: the suspect deployment (guidance) and time to rollback (insights). */

/**
 * The suspect deployment of an incident's service (latest in the 2 h before its first signal, in the
 * incident's environment when it has deployments there), for guidance to rank first.
 */
export async function suspectChangeOf(
  deps: Pick<RollbackDeps, 'db' | 'changesMapping'>,
  state: IncidentState,
): Promise<SuspectChangeFact | undefined> {
  const service = state.service;
  if (!service) return undefined;
  const first = firstSignalAt(state);
  const since = new Date(Date.parse(first) - SUSPECT_WINDOW_MS).toISOString();
  const all = await listChanges(deps.db, state.orgId, { service, since, until: first, limit: 50 });
  const mine = state.environment ? all.filter((c) => c.environment === state.environment) : [];
  const at = (c: ChangeEvent) => c.finishedAt ?? c.statusAt;
  const suspect = (mine.length ? mine : all).sort((a, b) => at(b).localeCompare(at(a)))[0];
  if (!suspect) return undefined;
  const { current, previous } = await rollbackVersions(deps.db, state.orgId, service, suspect.environment);
  return {
    service,
    environment: suspect.environment,
    version: suspect.version,
    ...(current?.version === suspect.version && previous ? { previousVersion: previous.version } : {}),
    minutesBefore: (Date.parse(first) - Date.parse(at(suspect))) / 60_000,
    status: suspect.status,
    rollbackConfigured: !!(deps.changesMapping && rollbackTargetOf(deps.changesMapping.current(), service)),
  };
}

export interface RollbackTime {
  rollbackId: string;
  incidentId: string;
  service: string;
  environment: string;
  fromVersion: string;
  toVersion: string;
  requestedAt: string;
  completedAt: string;
  durationMs: number;
}

/**
 * Time to rollback (requested → the target version's successful deployment) of each completed rollback
 * requested in [since, until), oldest first, with the median: what insights reads.
 */
export async function rollbackTimes(
  deps: Pick<RollbackDeps, 'db'>,
  input: { orgId: string; since?: string; until?: string },
): Promise<{ items: RollbackTime[]; medianMs?: number }> {
  const rows = await completedRollbacks(deps.db, input.orgId, input.since, input.until);
  const items = rows.map((r) => ({
    rollbackId: r.id,
    incidentId: r.incidentId,
    service: r.service,
    environment: r.environment,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    requestedAt: r.requestedAt,
    completedAt: r.finishedAt ?? r.requestedAt,
    durationMs: r.durationMs ?? 0,
  }));
  const sorted = items.map((i) => i.durationMs).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs =
    sorted.length === 0 ? undefined : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { items, ...(medianMs !== undefined ? { medianMs } : {}) };
}

/** Deployments of the incident's service from 2 h before its first signal to its end (the postmortem's Changes). */
export async function changesAround(
  deps: Pick<RollbackDeps, 'db'>,
  state: IncidentState,
  now: Date,
): Promise<PostmortemChange[]> {
  if (!state.service) return [];
  const first = firstSignalAt(state);
  const since = new Date(Date.parse(first) - SUSPECT_WINDOW_MS).toISOString();
  const until = state.resolvedAt ?? state.cancelledAt ?? now.toISOString();
  const rows = await listChanges(deps.db, state.orgId, { service: state.service, since, until, limit: 50 });
  return rows.map((c) => {
    const at = c.finishedAt ?? c.statusAt;
    return {
      service: c.service,
      environment: c.environment,
      version: c.version,
      status: c.status,
      actor: c.actor,
      at,
      ...(c.url ? { url: c.url } : {}),
      minutesBefore: (Date.parse(first) - Date.parse(at)) / 60_000,
    };
  });
}
