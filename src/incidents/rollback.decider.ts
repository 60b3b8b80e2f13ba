import type { RollbackTarget } from '../changes/change.mapping';
import { assertNever, DomainError } from '../shared/domain-error';
import { atLeast } from '../shared/roles';
import { keysOf, withFields } from '../shared/same-shape';
import type { Actor, IncidentEvent, IncidentState } from './incident.types';
import { type Permission, requirePermission } from './incident.permissions';

/**
 * Rollback from an incident: requested (who, from → to, how), started or failed when the dispatch
 * (workflow_dispatch / deploy hook) answers, completed when a successful deployment of the target
 * version arrives, failed when it fails, timed out when none arrives in time. Pure.
 */

export type RollbackStatus = 'requested' | 'started' | 'completed' | 'failed' | 'timed_out';

export interface RollbackItem {
  id: string;
  service: string;
  environment: string;
  fromVersion: string;
  toVersion: string;
  target: RollbackTarget;
  requestedBy: string;
  requestedAt: string;
  status: RollbackStatus;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  reason?: string;
}

const ROLLBACK_ITEM_KEYS = keysOf<RollbackItem>()([
  'id',
  'service',
  'environment',
  'fromVersion',
  'toVersion',
  'target',
  'requestedBy',
  'requestedAt',
  'status',
  'startedAt',
  'finishedAt',
  'durationMs',
  'reason',
]);

export interface RollbackPlanFacts {
  rollbackId: string;
  service: string;
  environment: string;
  fromVersion: string;
  toVersion: string;
  target: RollbackTarget;
}

export type RollbackCommand =
  | ({ type: 'RequestRollback' } & RollbackPlanFacts)
  | { type: 'RecordRollbackDispatch'; rollbackId: string; ok: boolean; detail: string }
  /** `at`: when the deployment's result reached us (the caller's clock, as the request's time is). */
  | {
      type: 'SettleRollback';
      rollbackId: string;
      outcome: 'completed' | 'failed';
      version: string;
      url?: string;
      at: string;
    }
  | { type: 'TimeOutRollback'; rollbackId: string; waitedMs: number };

/** What every rollback event names, so each timeline line reads on its own. */
export type RollbackRef = Pick<
  RollbackPlanFacts,
  'rollbackId' | 'service' | 'environment' | 'fromVersion' | 'toVersion'
>;

export type RollbackEventData =
  | ({ type: 'ROLLBACK_REQUESTED' } & RollbackPlanFacts)
  | ({ type: 'ROLLBACK_STARTED'; detail: string } & RollbackRef)
  | ({ type: 'ROLLBACK_FAILED'; stage: 'dispatch' | 'deployment'; reason: string } & RollbackRef)
  | ({ type: 'ROLLBACK_COMPLETED'; version: string; durationMs: number; url?: string } & RollbackRef)
  | ({ type: 'ROLLBACK_TIMED_OUT'; waitedMs: number } & RollbackRef);

const COMMANDS: ReadonlySet<string> = new Set([
  'RequestRollback',
  'RecordRollbackDispatch',
  'SettleRollback',
  'TimeOutRollback',
]);
const EVENTS: ReadonlySet<string> = new Set([
  'ROLLBACK_REQUESTED',
  'ROLLBACK_STARTED',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETED',
  'ROLLBACK_TIMED_OUT',
]);
export const isRollbackCommand = (c: { type: string }): c is RollbackCommand => COMMANDS.has(c.type);
export const isRollbackEvent = <E extends { type: string }>(e: E): e is E & RollbackEventData => EVENTS.has(e.type);

export const isRunning = (r: Pick<RollbackItem, 'status'>) => r.status === 'requested' || r.status === 'started';

/**
 * Rolling production back is a lead's call, or the commander's: the person running the incident. A
 * responder may see the plan and ask them; a viewer may not start it.
 */
export const canRollBack = (who: Pick<Actor, 'id' | 'role'>, incident: Pick<IncidentState, 'roles'>): Permission =>
  atLeast(who.role, 'sre_lead') || incident.roles.commander === who.id
    ? { allowed: true }
    : { allowed: false, reason: 'Only an SRE lead, an admin or the incident commander can roll back a deployment.' };

/** A rollback of this service and environment that has not finished yet, if any. */
export const runningRollback = (state: Pick<IncidentState, 'rollbacks'>, service: string, environment: string) =>
  (state.rollbacks ?? []).find((r) => isRunning(r) && r.service === service && r.environment === environment);

const who = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : id);
const find = (state: IncidentState, id: string) => (state.rollbacks ?? []).find((r) => r.id === id);
const ref = (r: RollbackItem): RollbackRef => ({
  rollbackId: r.id,
  service: r.service,
  environment: r.environment,
  fromVersion: r.fromVersion,
  toVersion: r.toVersion,
});

/** decide for rollback commands. Outcomes reported twice (a retried delivery) change nothing. */
export function decideRollback(command: RollbackCommand, state: IncidentState, actor: Actor): RollbackEventData[] {
  switch (command.type) {
    case 'RequestRollback': {
      requirePermission(canRollBack(actor, state));
      if (state.status === 'CANCELLED')
        throw new DomainError('invalid_transition', `INC-${state.number} was cancelled; nothing to roll back for it.`);
      if (command.fromVersion === command.toVersion)
        throw new DomainError(
          'invalid_input',
          `${command.service} is already at ${command.toVersion} in ${command.environment}.`,
        );
      const running = runningRollback(state, command.service, command.environment);
      if (running)
        throw new DomainError(
          'conflict',
          `A rollback of ${running.service} in ${running.environment} is already running (${running.fromVersion} → ${running.toVersion}, requested by ${who(running.requestedBy)}).`,
        );
      if (find(state, command.rollbackId)) return [];
      const { type: _, ...facts } = command;
      return [{ type: 'ROLLBACK_REQUESTED', ...facts }];
    }
    case 'RecordRollbackDispatch': {
      const r = find(state, command.rollbackId);
      if (!r || r.status !== 'requested') return [];
      return command.ok
        ? [{ type: 'ROLLBACK_STARTED', ...ref(r), detail: command.detail }]
        : [{ type: 'ROLLBACK_FAILED', ...ref(r), stage: 'dispatch', reason: command.detail }];
    }
    case 'SettleRollback': {
      const r = find(state, command.rollbackId);
      if (!r || !isRunning(r)) return [];
      if (command.outcome === 'failed')
        return [
          {
            type: 'ROLLBACK_FAILED',
            ...ref(r),
            stage: 'deployment',
            reason: `The deployment of ${command.version} did not succeed.`,
          },
        ];
      const durationMs = Math.max(0, Date.parse(command.at) - Date.parse(r.requestedAt));
      return [{ type: 'ROLLBACK_COMPLETED', ...ref(r), version: command.version, durationMs, url: command.url }];
    }
    case 'TimeOutRollback': {
      const r = find(state, command.rollbackId);
      if (!r || !isRunning(r)) return [];
      return [{ type: 'ROLLBACK_TIMED_OUT', ...ref(r), waitedMs: command.waitedMs }];
    }
    default:
      return assertNever(command);
  }
}

/** evolve for rollback events: `next` is the caller's fresh copy. */
export function evolveRollback(next: IncidentState, e: IncidentEvent & RollbackEventData): IncidentState {
  const list = next.rollbacks ?? [];
  const update = (patch: Partial<RollbackItem>) => list.map((r) => (r.id === e.rollbackId ? withFields(ROLLBACK_ITEM_KEYS, r, patch) : r));
  switch (e.type) {
    case 'ROLLBACK_REQUESTED':
      next.rollbacks = [
        ...list,
        {
          id: e.rollbackId,
          service: e.service,
          environment: e.environment,
          fromVersion: e.fromVersion,
          toVersion: e.toVersion,
          target: e.target,
          requestedBy: e.actor,
          requestedAt: e.occurredAt,
          status: 'requested',
        },
      ];
      return next;
    case 'ROLLBACK_STARTED':
      next.rollbacks = update({ status: 'started', startedAt: e.occurredAt });
      return next;
    case 'ROLLBACK_FAILED':
      next.rollbacks = update({ status: 'failed', finishedAt: e.occurredAt, reason: e.reason });
      return next;
    case 'ROLLBACK_COMPLETED':
      next.rollbacks = update({ status: 'completed', finishedAt: e.occurredAt, durationMs: e.durationMs });
      return next;
    case 'ROLLBACK_TIMED_OUT':
      next.rollbacks = update({
        status: 'timed_out',
        finishedAt: e.occurredAt,
        reason: 'No deployment result in time.',
      });
      return next;
    default:
      return assertNever(e);
  }
}

/** "5 min 12 s": how long a rollback took. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min${s % 60 ? ` ${s % 60} s` : ''}` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** One timeline line per rollback event (Slack mrkdwn; `who` is the actor as a mention). */
export function describeRollbackEvent(e: RollbackEventData, who: string): string {
  const what = `${e.service} in ${e.environment} ${e.fromVersion} → ${e.toVersion}`;
  switch (e.type) {
    case 'ROLLBACK_REQUESTED':
      return `${who} asked to roll back ${what}`;
    case 'ROLLBACK_STARTED':
      return `Rollback of ${what} started (${e.detail})`;
    case 'ROLLBACK_FAILED':
      return `Rollback of ${what} failed (${e.stage}): ${e.reason}`;
    case 'ROLLBACK_COMPLETED':
      return `Rollback of ${what} succeeded in ${formatDuration(e.durationMs)}`;
    case 'ROLLBACK_TIMED_OUT':
      return `Rollback of ${what} timed out: no deployment result after ${formatDuration(e.waitedMs)}`;
    default:
      return assertNever(e);
  }
}
