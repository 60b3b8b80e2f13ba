import type { CorrelationEvidence } from '../incidents/correlation.types';
import { canSeeIncident, requirePermission } from '../incidents/incident.permissions';
import type { Actor, AttachedSignal } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import type { AppDeps } from './deps';

/*
 * An incident's signals with why each joined: `/incident signals` in the channel and
 * `GET /api/v1/orgs/:orgId/incidents/:id/signals`. Read from the incident's state (the log), so the reason
 * is the one recorded when the signal joined; events written before explanations have none.
 */

export interface IncidentSignalView {
  fingerprint: string;
  title: string;
  service: string;
  environment: string;
  source: string;
  status: AttachedSignal['status'];
  risk: AttachedSignal['risk'];
  attachedAt: string;
  lastSeenAt: string;
  resolvedAt?: string;
  correlationKey?: string;
  traceId?: string;
  /** Why it joined; absent for signals attached before this was recorded. */
  correlation?: CorrelationEvidence;
}

export interface IncidentSignals {
  incidentId: string;
  number: number;
  title: string;
  service?: string;
  total: number;
  signals: IncidentSignalView[];
}

export const MAX_SIGNALS_LISTED = 500;

/** Human line for a missing explanation (older events). */
export const UNEXPLAINED = 'joined before correlation reasons were recorded';

export function viewOf(s: AttachedSignal): IncidentSignalView {
  return {
    fingerprint: s.fingerprint,
    title: s.title,
    service: s.service,
    environment: s.environment,
    source: s.source,
    status: s.status,
    risk: s.risk,
    attachedAt: s.attachedAt,
    lastSeenAt: s.lastSeenAt,
    ...(s.resolvedAt ? { resolvedAt: s.resolvedAt } : {}),
    ...(s.correlationKey ? { correlationKey: s.correlationKey } : {}),
    ...(s.traceId ? { traceId: s.traceId } : {}),
    ...(s.correlation ? { correlation: s.correlation } : {}),
  };
}

/** Newest first; at most `limit` (the total says how many there are). Private incidents: members and admins only. */
export async function listIncidentSignals(
  deps: Pick<AppDeps, 'incidents'>,
  req: { orgId: string; actor: Actor; incidentId: string; limit?: number },
): Promise<IncidentSignals> {
  const state = await deps.incidents.load(req.orgId, req.incidentId);
  if (!state.exists || state.orgId !== req.orgId)
    throw new DomainError('not_found', 'No such incident in this organisation.');
  const seen = canSeeIncident(req.actor, state);
  // Someone who may not see a private incident learns nothing about it, not even that it exists.
  if (!seen.allowed && state.visibility === 'private')
    throw new DomainError('not_found', 'No such incident in this organisation.');
  requirePermission(seen);
  const limit = Math.max(1, Math.min(MAX_SIGNALS_LISTED, req.limit ?? MAX_SIGNALS_LISTED));
  const newest = [...state.signals].sort((a, b) =>
    a.attachedAt < b.attachedAt ? 1 : a.attachedAt > b.attachedAt ? -1 : 0,
  );
  return {
    incidentId: state.id,
    number: state.number,
    title: state.title,
    service: state.service,
    total: state.signals.length,
    signals: newest.slice(0, limit).map(viewOf),
  };
}
