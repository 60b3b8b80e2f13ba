import { randomUUID } from 'node:crypto';
import type { RollbackTarget } from '../../changes/change.mapping';
import type { IncidentEvent, IncidentState } from '../../incidents/incident.types';
import { isRollbackEvent, type RollbackItem, type RollbackStatus } from '../../incidents/rollback.decider';
import type { DB, Trx } from './schema';

export interface StoredRollback extends RollbackItem {
  orgId: string;
  incidentId: string;
}

const RUNNING = ['requested', 'started'];

const toRollback = (r: {
  id: string;
  org_id: string;
  incident_id: string;
  service: string;
  environment: string;
  from_version: string;
  to_version: string;
  target: string;
  status: string;
  requested_by: string;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  reason: string | null;
}): StoredRollback => ({
  id: r.id,
  orgId: r.org_id,
  incidentId: r.incident_id,
  service: r.service,
  environment: r.environment,
  fromVersion: r.from_version,
  toVersion: r.to_version,
  target: JSON.parse(r.target) as RollbackTarget,
  status: r.status as RollbackStatus,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  ...(r.started_at ? { startedAt: r.started_at } : {}),
  ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
  ...(r.duration_ms !== null ? { durationMs: Number(r.duration_ms) } : {}),
  ...(r.reason ? { reason: r.reason } : {}),
});

const AUDIT_ACTION: Record<string, string> = {
  ROLLBACK_REQUESTED: 'rollback_requested',
  ROLLBACK_STARTED: 'rollback_started',
  ROLLBACK_FAILED: 'rollback_failed',
  ROLLBACK_COMPLETED: 'rollback_completed',
  ROLLBACK_TIMED_OUT: 'rollback_timed_out',
};

function auditDetail(e: IncidentEvent): string | null {
  switch (e.type) {
    case 'ROLLBACK_REQUESTED':
      return JSON.stringify(e.target);
    case 'ROLLBACK_STARTED':
      return e.detail;
    case 'ROLLBACK_FAILED':
      return `${e.stage}: ${e.reason}`;
    case 'ROLLBACK_COMPLETED':
      return `${e.durationMs} ms`;
    case 'ROLLBACK_TIMED_OUT':
      return `after ${e.waitedMs} ms`;
    default:
      return null;
  }
}

/**
 * Rollback events just appended (same transaction): the `rollbacks` row follows the incident's state,
 * and each event leaves one audit entry.
 */
export async function writeRollbackEvents(trx: Trx, state: IncidentState, events: readonly IncidentEvent[]) {
  for (const e of events) {
    if (!isRollbackEvent(e)) continue;
    const r = (state.rollbacks ?? []).find((x) => x.id === e.rollbackId);
    if (!r) continue;
    const row = {
      status: r.status,
      started_at: r.startedAt ?? null,
      finished_at: r.finishedAt ?? null,
      duration_ms: r.durationMs ?? null,
      reason: r.reason ?? null,
    };
    await trx
      .insertInto('rollbacks')
      .values({
        id: r.id,
        org_id: state.orgId,
        incident_id: state.id,
        service: r.service,
        environment: r.environment,
        from_version: r.fromVersion,
        to_version: r.toVersion,
        target_kind: r.target.kind,
        target: JSON.stringify(r.target),
        requested_by: r.requestedBy,
        requested_at: r.requestedAt,
        ...row,
      })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
    await trx
      .insertInto('deployment_audit')
      .values({
        id: randomUUID(),
        org_id: state.orgId,
        at: e.occurredAt,
        actor: e.actor,
        action: AUDIT_ACTION[e.type],
        service: r.service,
        environment: r.environment,
        from_version: r.fromVersion,
        to_version: r.toVersion,
        incident_id: state.id,
        rollback_id: r.id,
        detail: auditDetail(e),
      })
      .execute();
  }
}

/** A rollback of this service and environment still running, from any incident of the org. */
export async function findRunningRollback(db: DB | Trx, orgId: string, service: string, environment: string) {
  const r = await db
    .selectFrom('rollbacks')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .where('environment', '=', environment)
    .where('status', 'in', RUNNING)
    .orderBy('requested_at', 'desc')
    .executeTakeFirst();
  return r ? toRollback(r) : undefined;
}

/** Running rollbacks waiting for a deployment of `version` to this service and environment. */
export async function rollbacksAwaiting(db: DB, orgId: string, service: string, environment: string, version: string) {
  const rows = await db
    .selectFrom('rollbacks')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .where('environment', '=', environment)
    .where('to_version', '=', version)
    .where('status', 'in', RUNNING)
    .execute();
  return rows.map(toRollback);
}

export async function rollbacksOfIncident(db: DB, orgId: string, incidentId: string): Promise<StoredRollback[]> {
  const rows = await db
    .selectFrom('rollbacks')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .orderBy('requested_at')
    .execute();
  return rows.map(toRollback);
}

export async function findRollback(db: DB, orgId: string, id: string): Promise<StoredRollback | undefined> {
  const r = await db
    .selectFrom('rollbacks')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? toRollback(r) : undefined;
}

/** Completed rollbacks requested in [since, until): time to rollback per rollback, oldest first. */
export async function completedRollbacks(db: DB, orgId: string, since?: string, until?: string) {
  let q = db.selectFrom('rollbacks').selectAll().where('org_id', '=', orgId).where('status', '=', 'completed');
  if (since) q = q.where('requested_at', '>=', since);
  if (until) q = q.where('requested_at', '<', until);
  return (await q.orderBy('requested_at').execute()).map(toRollback);
}

/** The deployments audit trail of a service (and environment), newest first. */
export async function deploymentAudit(
  db: DB,
  orgId: string,
  f: { service?: string; environment?: string; limit: number },
) {
  let q = db.selectFrom('deployment_audit').selectAll().where('org_id', '=', orgId);
  if (f.service) q = q.where('service', '=', f.service);
  if (f.environment) q = q.where('environment', '=', f.environment);
  return q.orderBy('at', 'desc').limit(f.limit).execute();
}

/**
 * The version to roll back to: the last successful deployment of a different version that finished
 * before the current one (the environment's last successful deployment), skipping versions a completed
 * rollback moved this environment away from (known bad). Undefined without one.
 */
export async function rollbackVersions(db: DB, orgId: string, service: string, environment: string) {
  const bad = await db
    .selectFrom('rollbacks')
    .select('from_version')
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .where('environment', '=', environment)
    .where('status', '=', 'completed')
    .execute();
  const known = new Set(bad.map((b) => b.from_version));
  const rows = await db
    .selectFrom('deployments')
    .select(['version', 'finished_at', 'status_at', 'url', 'external_id'])
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .where('environment', '=', environment)
    .where('status', '=', 'success')
    .orderBy((eb) => eb.fn.coalesce('finished_at', 'status_at'), 'desc')
    .orderBy('external_id', 'desc')
    .limit(200)
    .execute();
  const current = rows[0];
  if (!current) return { current: undefined, previous: undefined };
  const previous = rows.find((r) => r.version !== current.version && !known.has(r.version));
  return { current, previous };
}

/** Open incidents of a service: their summaries show its deployments live. */
export async function openIncidentsOfService(db: DB, orgId: string, service: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incidents')
    .select('id')
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .where('status', 'in', ['OPEN', 'INVESTIGATING', 'MITIGATED'])
    .limit(50)
    .execute();
  return rows.map((r) => r.id);
}
