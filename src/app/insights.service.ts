import { incidentLogsSince } from '../adapters/db/insights.repo';
import type { DB } from '../adapters/db/schema';
import { canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { computeInsights } from '../insights/insights.compute';
import { type Insights, type InsightWindow, type SlaTargets, WINDOW_DAYS } from '../insights/insights.types';
import { DomainError } from '../shared/domain-error';

export interface InsightsDeps {
  db: DB;
  now: () => Date;
  sla: SlaTargets;
}

const DAY = 86_400_000;

/** `7d`/`30d`/`90d` (default 30d), or a refusal that lists them. */
export function parseWindow(text: string | undefined): InsightWindow {
  const t = (text ?? '').trim().toLowerCase();
  if (t === '') return '30d';
  if (t === '7d' || t === '30d' || t === '90d') return t;
  throw new DomainError('invalid_input', `“${t.slice(0, 40)}” is not a window; use 7d, 30d or 90d.`);
}

/**
 * The org's insights over the window ending now, for `actor` (viewer+): private incidents they may not
 * see are counted in the totals only. One use case for the console, the API, Slack and the weekly post.
 */
export async function getInsights(
  deps: InsightsDeps,
  input: {
    orgId: string;
    actor: Pick<Actor, 'id' | 'role'>;
    window: InsightWindow;
    /** Who will read the result when it is not only the actor (a channel post): decides what is broken down. */
    audience?: Pick<Actor, 'id' | 'role'>;
  },
): Promise<Insights> {
  requirePermission(canView(input.actor));
  const now = deps.now();
  const since = new Date(now.getTime() - WINDOW_DAYS[input.window] * DAY).toISOString();
  const incidents = await incidentLogsSince(deps.db, input.orgId, since);
  const viewer = input.audience ?? input.actor;
  return computeInsights({ incidents, window: input.window, now, viewer, sla: deps.sla });
}

/** Whoever reads a channel post: a member with no special access (so private incidents stay totals only). */
export const CHANNEL_AUDIENCE: Pick<Actor, 'id' | 'role'> = { id: '', role: 'viewer' };
