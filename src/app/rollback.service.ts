import { randomUUID } from 'node:crypto';
import { listChanges } from '../adapters/db/changes.repo';
import { findByIdempotencyKey, loadEvents } from '../adapters/db/event-store';
import { findRollback, findRunningRollback, rollbackVersions, type StoredRollback } from '../adapters/db/rollback.repo';
import type { DB } from '../adapters/db/schema';
import type { Config } from '../config';
import { describeTarget, type MappingSource, type RollbackTarget, rollbackTargetOf } from '../changes/change.mapping';
import { canSeeIncident, requirePermission } from '../incidents/incident.permissions';
import type { Actor, IncidentState } from '../incidents/incident.types';
import { canRollBack, runningRollback } from '../incidents/rollback.decider';
import { DomainError } from '../shared/domain-error';
import { effect } from './effects';
import { rollbackTimer, runRollbackCommand } from './rollback-outcomes.service';
import type { IncidentService } from './incident.service';

/**
 * Rolling back the suspect deployment from an incident: the plan (from → to, how) and the request (one
 * ROLLBACK_REQUESTED and a `rollback.dispatch` outbox row in one transaction), for Slack and the REST API;
 * what follows (dispatch outcome, timeout, the settling deployment) is in rollback-outcomes.service.ts.
 */
export interface RollbackDeps {
  db: DB;
  incidents: Pick<IncidentService, 'transact' | 'load'>;
  now: () => Date;
  changesMapping?: MappingSource;
  /** How long a started rollback waits for its deployment before ROLLBACK_TIMED_OUT. */
  rollbackTimeoutMs?: number;
  /** Why this target cannot be run here (its credential is not set), if it cannot. */
  dispatchProblem?: (target: RollbackTarget) => string | undefined;
}

/** The rollback dependencies from the app's (or a deliverer's) dependencies and the configuration. */
export function rollbackDepsOf(deps: {
  db: DB;
  incidents: Pick<IncidentService, 'transact' | 'load'>;
  now: () => Date;
  config: Config;
  changesMapping?: MappingSource;
}): RollbackDeps {
  const { github, changes } = deps.config;
  return {
    db: deps.db,
    incidents: deps.incidents,
    now: deps.now,
    changesMapping: deps.changesMapping,
    rollbackTimeoutMs: changes.rollbackTimeoutMs,
    dispatchProblem: (t) =>
      t.kind === 'github_workflow'
        ? github.token
          ? undefined
          : 'GITHUB_TOKEN is not set'
        : changes.hookSecret
          ? undefined
          : 'ROLLBACK_HOOK_SECRET is not set',
  };
}

/** As the summary's Changes line (changes.service.ts SUSPECT_WINDOW_MS). */
export const SUSPECT_WINDOW_MS = 2 * 60 * 60 * 1000;

export interface RollbackPlan {
  incidentId: string;
  incidentNumber: number;
  service: string;
  environment: string;
  fromVersion: string;
  toVersion: string;
  target: RollbackTarget;
  /** "GitHub Actions workflow rollback.yml in acme/checkout (main)". */
  targetText: string;
}

export interface RollbackInput {
  orgId: string;
  actor: Actor;
  incidentId: string;
  service?: string;
  environment?: string;
}

async function loadIncident(deps: RollbackDeps, orgId: string, incidentId: string, actor: Actor) {
  const state = await deps.incidents.load(orgId, incidentId);
  if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
  requirePermission(canSeeIncident(actor, state));
  return state;
}

/** The environment of the suspect deployment (the latest of the service before the first signal). */
export const firstSignalAt = (state: IncidentState) =>
  state.signals.reduce((m, s) => (s.attachedAt < m ? s.attachedAt : m), state.createdAt);

async function suspectEnvironment(deps: RollbackDeps, state: IncidentState, service: string) {
  const first = firstSignalAt(state);
  const since = new Date(Date.parse(first) - SUSPECT_WINDOW_MS).toISOString();
  const changes = await listChanges(deps.db, state.orgId, { service, since, until: first, limit: 1 });
  return changes[0]?.environment;
}

function refuseRunning(r: Pick<StoredRollback, 'service' | 'environment' | 'fromVersion' | 'toVersion'>): never {
  throw new DomainError(
    'conflict',
    `A rollback of ${r.service} in ${r.environment} is already running (${r.fromVersion} → ${r.toVersion}); wait for it to finish.`,
  );
}

/**
 * What a rollback would do, or why it cannot: not allowed, not configured for the service, no earlier
 * successful version, or one already running. Nothing is written.
 */
export async function planRollback(deps: RollbackDeps, input: RollbackInput): Promise<RollbackPlan> {
  const state = await loadIncident(deps, input.orgId, input.incidentId, input.actor);
  requirePermission(canRollBack(input.actor, state));
  const service = input.service?.trim() || state.service;
  if (!service)
    throw new DomainError(
      'invalid_input',
      `INC-${state.number} names no service: say which, e.g. \`rollback checkout production\`.`,
    );
  const environment =
    input.environment?.trim() || (await suspectEnvironment(deps, state, service)) || state.environment;
  if (!environment)
    throw new DomainError('invalid_input', `Which environment of ${service}? e.g. \`rollback ${service} production\`.`);
  const target = deps.changesMapping && rollbackTargetOf(deps.changesMapping.current(), service);
  if (!target)
    throw new DomainError(
      'invalid_transition',
      `Rollback is not configured for ${service}: an admin adds it under \`rollback:\` in the changes mapping file (CHANGES_MAPPING_PATH).`,
    );
  const problem = deps.dispatchProblem?.(target);
  if (problem)
    throw new DomainError(
      'invalid_transition',
      `Rollback of ${service} is configured but cannot run: ${problem}. Ask an admin.`,
    );
  const { current, previous } = await rollbackVersions(deps.db, input.orgId, service, environment);
  if (!current)
    throw new DomainError(
      'invalid_transition',
      `No successful deployment of ${service} to ${environment} is recorded, so there is nothing to roll back.`,
    );
  if (!previous)
    throw new DomainError(
      'invalid_transition',
      `${service} in ${environment} has no earlier successful version than ${current.version} to roll back to.`,
    );
  const running =
    runningRollback(state, service, environment) ??
    (await findRunningRollback(deps.db, input.orgId, service, environment));
  if (running) refuseRunning(running);
  return {
    incidentId: state.id,
    incidentNumber: state.number,
    service,
    environment,
    fromVersion: current.version,
    toVersion: previous.version,
    target,
    targetText: describeTarget(target),
  };
}

export interface RequestRollbackInput extends RollbackInput {
  /** What the person confirmed: refused if the plan changed since (a newer deployment arrived). */
  expectedFrom?: string;
  expectedTo?: string;
  /** Slack's view id / an API Idempotency-Key: pressing twice starts one rollback. */
  idempotencyKey?: string;
}

export interface RequestedRollback {
  rollback: StoredRollback | undefined;
  plan: RollbackPlan;
  duplicate: boolean;
}

/** A request already answered under this key (a second click, a Slack retry): its rollback, nothing new. */
async function alreadyRequested(
  deps: RollbackDeps,
  orgId: string,
  key: string,
): Promise<RequestedRollback | undefined> {
  const seen = await findByIdempotencyKey(deps.db, orgId, key);
  if (!seen) return undefined;
  const [e] = await loadEvents(deps.db, orgId, seen.incident_id, Number(seen.seq) - 1);
  const rollback = e?.type === 'ROLLBACK_REQUESTED' ? await findRollback(deps.db, orgId, e.rollbackId) : undefined;
  if (!rollback) return undefined;
  const { incidentId, service, environment, fromVersion, toVersion, target } = rollback;
  const number = (await deps.incidents.load(orgId, incidentId)).number;
  const plan = { incidentId, incidentNumber: number, service, environment, fromVersion, toVersion, target };
  return { rollback, plan: { ...plan, targetText: describeTarget(target) }, duplicate: true };
}

/** ROLLBACK_REQUESTED, and the dispatch queued with it. */
export async function requestRollback(deps: RollbackDeps, input: RequestRollbackInput): Promise<RequestedRollback> {
  const again = input.idempotencyKey ? await alreadyRequested(deps, input.orgId, input.idempotencyKey) : undefined;
  if (again) return again;
  const plan = await planRollback(deps, input);
  if (
    (input.expectedFrom && input.expectedFrom !== plan.fromVersion) ||
    (input.expectedTo && input.expectedTo !== plan.toVersion)
  )
    throw new DomainError(
      'conflict',
      `The plan changed since you opened it: ${plan.service} in ${plan.environment} would now go ${plan.fromVersion} → ${plan.toVersion}. Open it again to confirm.`,
    );
  const rollbackId = randomUUID();
  const r = await runRollbackCommand(
    deps,
    input.orgId,
    plan.incidentId,
    input.actor,
    // Built inside the transaction (under the org's lock on Postgres): two incidents cannot both start one.
    async (trx) => {
      const running = await findRunningRollback(trx, input.orgId, plan.service, plan.environment);
      if (running) refuseRunning(running);
      const { incidentId: _i, incidentNumber: _n, targetText: _t, ...facts } = plan;
      return { type: 'RequestRollback', rollbackId, ...facts };
    },
    () => [
      effect('rollback.dispatch', { incidentId: plan.incidentId, rollbackId }),
      rollbackTimer(deps, plan.incidentId, rollbackId),
    ],
    input.idempotencyKey,
  );
  const id = r.duplicate ? r.state.rollbacks?.at(-1)?.id : rollbackId;
  return { rollback: id ? await findRollback(deps.db, input.orgId, id) : undefined, plan, duplicate: r.duplicate };
}

export { findRollback };
export { followDeployments, recordRollbackDispatch, SYSTEM_ACTOR, timeOutRollback } from './rollback-outcomes.service';
