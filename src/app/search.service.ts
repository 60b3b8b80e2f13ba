import type { DB } from '../adapters/db/schema';
import { searchRelated } from '../adapters/db/search.repo';
import type { RelatedIncident } from '../guidance/guidance.types';
import { canView, requirePermission } from '../incidents/incident.permissions';
import { type Actor, isOpenStatus } from '../incidents/incident.types';

/** At most this many results are shown. */
export const SEARCH_SHOWN = 10;
/** Open incidents are picked from this many best matches of any status. */
const OPEN_CANDIDATES = 50;

export interface SearchRequest {
  orgId: string;
  actor: Actor;
  which: 'open' | 'all';
  query: string;
}

/** Full-text ranked incidents of this workspace (title, timeline, actions, postmortem), best first. */
export async function searchIncidents(
  deps: { db: DB; now: () => Date },
  req: SearchRequest,
): Promise<RelatedIncident[]> {
  requirePermission(canView(req.actor));
  // Rank among every match, then keep the open ones: a closed best match must not push open ones out.
  const open = req.which === 'open';
  const ranked = await searchRelated(deps.db, {
    orgId: req.orgId,
    text: req.query,
    limit: open ? OPEN_CANDIDATES : SEARCH_SHOWN,
    now: deps.now(),
    // Their own private incidents too (members, admins); nobody else's text can match.
    viewer: req.actor,
    // Their own words: nothing is boilerplate, no minimum (relatedness rules are for suggestions).
    purpose: 'search',
  });
  return (open ? ranked.filter((r) => isOpenStatus(String(r.status))) : ranked).slice(0, SEARCH_SHOWN);
}
