import { loadEvents } from '../adapters/db/event-store';
import type { IncidentRow } from '../adapters/db/schema';
import { canSeeIncident } from '../incidents/incident.permissions';
import { stateAt } from '../incidents/incident.replay';
import type { Actor, IncidentEvent } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { findVisibleIncident, type PrivacyViewDeps } from './privacy.service';

/**
 * Timeline replay of one incident: its whole log, for someone who may see it (a private incident's view
 * is audited, as every other surface does). Anything else answers exactly like an unknown incident.
 */
export async function incidentReplay(
  deps: PrivacyViewDeps,
  input: { orgId: string; incidentId: string; actor: Actor; surface: string },
): Promise<{ incident: IncidentRow; events: IncidentEvent[] }> {
  const incident = await findVisibleIncident(deps, input);
  const events = await loadEvents(deps.db, input.orgId, input.incidentId);
  // The log decides too (membership folded from it), so a stale read model cannot widen access.
  const final = stateAt(events, Number.MAX_SAFE_INTEGER);
  if (!final.exists || !canSeeIncident(input.actor, final).allowed)
    throw new DomainError('not_found', 'That incident does not exist.');
  return { incident, events };
}
