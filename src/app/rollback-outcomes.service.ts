import { enqueueEffects } from '../adapters/db/outbox.repo';
import { openIncidentsOfService, rollbacksAwaiting, writeRollbackEvents } from '../adapters/db/rollback.repo';
import type { Trx } from '../adapters/db/schema';
import { type ChangeEvent, isTerminal } from '../changes/change.types';
import type { Actor } from '../incidents/incident.types';
import type { RollbackCommand } from '../incidents/rollback.decider';
import { effect, type PlannedEffect } from './effects';
import type { CommandResult } from './incident.service';
import type { RollbackDeps } from './rollback.service';

/**
 * What happens to a rollback after it is asked for: the dispatch's answer, the timeout, and the
 * deployment that settles it (from the change ingestion path). Each is idempotent: a repeat changes nothing.
 */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'revenant', role: 'admin' };
const DEFAULT_TIMEOUT_MS = 15 * 60_000;

/** Run one rollback command and keep the `rollbacks` row and the audit trail in step, in its transaction. */
export async function runRollbackCommand(
  deps: RollbackDeps,
  orgId: string,
  incidentId: string,
  actor: Actor,
  command: RollbackCommand | ((trx: Trx) => Promise<RollbackCommand>),
  extra: (r: CommandResult) => PlannedEffect[] = () => [],
  idempotencyKey?: string,
): Promise<CommandResult> {
  return deps.incidents.transact(orgId, async (uow) => {
    const r = await uow.execute({
      orgId,
      incidentId,
      actor,
      idempotencyKey,
      command: typeof command === 'function' ? (trx) => command(trx) : command,
    });
    if (r.duplicate || r.events.length === 0) return r;
    await writeRollbackEvents(uow.trx, r.state, r.events);
    const effects = extra(r);
    if (effects.length) await enqueueEffects(uow.trx, orgId, incidentId, effects, deps.now());
    return r;
  });
}

/** The dispatch answered: ROLLBACK_STARTED or ROLLBACK_FAILED. Repeats change nothing. */
export async function recordRollbackDispatch(
  deps: RollbackDeps,
  input: { orgId: string; incidentId: string; rollbackId: string; ok: boolean; detail: string },
): Promise<void> {
  await runRollbackCommand(deps, input.orgId, input.incidentId, SYSTEM_ACTOR, {
    type: 'RecordRollbackDispatch',
    rollbackId: input.rollbackId,
    ok: input.ok,
    detail: input.detail.slice(0, 500),
  });
}

/**
 * The timer written with the request: whatever holds it up (a dispatch still retrying, a pipeline that never
 * reports), a rollback not settled `rollbackTimeoutMs` after it was asked for ends as ROLLBACK_TIMED_OUT.
 */
export function rollbackTimer(
  deps: Pick<RollbackDeps, 'now' | 'rollbackTimeoutMs'>,
  incidentId: string,
  rollbackId: string,
) {
  const waitMs = deps.rollbackTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const notBefore = new Date(deps.now().getTime() + waitMs).toISOString();
  return effect('rollback.timeout', { incidentId, rollbackId, waitMs }, { notBefore });
}

/** No deployment result arrived in time (the `rollback.timeout` timer); a settled rollback is left alone. */
export async function timeOutRollback(
  deps: RollbackDeps,
  input: { orgId: string; incidentId: string; rollbackId: string; waitMs: number },
): Promise<void> {
  await runRollbackCommand(deps, input.orgId, input.incidentId, SYSTEM_ACTOR, {
    type: 'TimeOutRollback',
    rollbackId: input.rollbackId,
    waitedMs: input.waitMs,
  });
}

/**
 * Deployments that just moved (from the change ingestion path): a finished deployment of a running
 * rollback's target version settles it (ROLLBACK_COMPLETED with the time to rollback, or FAILED), and
 * every open incident of a deployed service gets its pinned summary re-rendered (live status).
 */
export async function followDeployments(
  deps: RollbackDeps,
  orgId: string,
  changes: { moved: readonly ChangeEvent[]; finished: readonly ChangeEvent[] },
): Promise<void> {
  const { moved, finished } = changes;
  for (const c of finished) {
    if (!isTerminal(c.status)) continue;
    for (const rb of await rollbacksAwaiting(deps.db, orgId, c.service, c.environment, c.version)) {
      await runRollbackCommand(deps, orgId, rb.incidentId, SYSTEM_ACTOR, {
        type: 'SettleRollback',
        rollbackId: rb.id,
        outcome: c.status === 'success' ? 'completed' : 'failed',
        version: c.version,
        url: c.url || undefined,
        at: deps.now().toISOString(),
      });
    }
  }
  const now = deps.now();
  for (const service of new Set(moved.map((c) => c.service))) {
    for (const incidentId of await openIncidentsOfService(deps.db, orgId, service)) {
      // The same dedupe key as the planner's summary edits (edit-pacing.ts summaryKey): one pending edit folds them.
      const sync = effect('incident.sync_summary', { incidentId }, { dedupeKey: `summary:${incidentId}` });
      await enqueueEffects(deps.db, orgId, incidentId, [sync], now);
    }
  }
}
