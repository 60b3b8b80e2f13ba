import { channelProblemsOf } from '../adapters/db/channel-problem.repo';
import type { DigestDefaults } from '../adapters/db/digest.repo';
import { listIncidents, openActionsOwnedBy } from '../adapters/db/incident.queries';
import type { DB, IncidentRow } from '../adapters/db/schema';
import { canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { listWatchlist, type WatchlistView } from './watchlist.service';

/** What App Home shows a member: open incidents (and why one has no channel), the watchlist's top, their follow-ups. */
export interface HomeDashboard {
  open: Array<IncidentRow & { channelProblem?: string }>;
  watchlist: WatchlistView;
  myActions: Array<{ text: string; number: number; channel_id: string | null }>;
}

const HOME_OPEN_INCIDENTS = 50;
export const HOME_WATCHLIST_ENTRIES = 5;

export async function homeDashboard(
  deps: { db: DB; defaults: DigestDefaults; now: () => Date },
  input: { orgId: string; actor: Actor },
): Promise<HomeDashboard> {
  requirePermission(canView(input.actor));
  const [open, watchlist, myActions] = await Promise.all([
    listIncidents(deps.db, input.orgId, 'open', HOME_OPEN_INCIDENTS, input.actor),
    listWatchlist(deps, { ...input, limit: HOME_WATCHLIST_ENTRIES }),
    openActionsOwnedBy(deps.db, input.orgId, input.actor.id, input.actor),
  ]);
  const problems = await channelProblemsOf(
    deps.db,
    input.orgId,
    open.filter((i) => !i.channel_id).map((i) => i.id),
  );
  return { open: open.map((i) => ({ ...i, channelProblem: problems.get(i.id)?.reason })), watchlist, myActions };
}
