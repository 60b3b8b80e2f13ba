import {
  findIncidentByChannel,
  findIncidentById,
  listIncidents as listIncidentRows,
  timelineOf,
} from '../adapters/db/incident.queries';
import type { DB, IncidentRow } from '../adapters/db/schema';
import type { RelatedIncident } from '../guidance/guidance.types';
import { canView, requirePermission } from '../incidents/incident.permissions';
import { DomainError } from '../shared/domain-error';
import type { ActorInput } from './incident-commands.service';
import { searchIncidents } from './search.service';

/** Reads of incidents: timeline, list and ranked search. Same permission rules as the writes. */
export interface IncidentReadDeps {
  db: DB;
  now: () => Date;
}

export type IncidentListing =
  | { kind: 'list'; which: 'open' | 'all'; incidents: IncidentRow[] }
  | { kind: 'search'; which: 'open' | 'all'; query: string; results: RelatedIncident[] };

const LIST_SHOWN = 20;

/** The incident whose channel this is, if any (Slack requests name a channel, not an incident). */
export function incidentOfChannel(
  deps: Pick<IncidentReadDeps, 'db'>,
  orgId: string,
  channelId: string | undefined,
): Promise<IncidentRow | undefined> {
  return channelId ? findIncidentByChannel(deps.db, orgId, channelId) : Promise.resolve(undefined);
}

export async function incidentTimeline(deps: IncidentReadDeps, input: ActorInput & { incidentId: string }) {
  requirePermission(canView(input.actor));
  const incident = await findIncidentById(deps.db, input.orgId, input.incidentId);
  if (!incident) throw new DomainError('not_found', 'That incident does not exist.');
  return { incident, entries: await timelineOf(deps.db, input.orgId, input.incidentId) };
}

/** Incidents of the workspace, newest first; with words, ranked by title, timeline, follow-ups and postmortem. */
export async function listIncidents(
  deps: IncidentReadDeps,
  input: ActorInput & { which: 'open' | 'all'; query?: string },
): Promise<IncidentListing> {
  requirePermission(canView(input.actor));
  const { orgId, actor, which } = input;
  const query = input.query?.trim();
  if (query)
    return { kind: 'search', which, query, results: await searchIncidents(deps, { orgId, actor, which, query }) };
  return { kind: 'list', which, incidents: await listIncidentRows(deps.db, orgId, which, LIST_SHOWN, actor) };
}
