import { searchRelated } from '../adapters/db/search.repo';
import { visibleRawSql } from '../adapters/db/privacy.repo';
import { canSeeIncident, canView, requirePermission } from '../incidents/incident.permissions';
import { DomainError } from '../shared/domain-error';
import type { ApiCaller } from './api-incidents.service';
import type { AppDeps } from './deps';

/**
 * Read-only knowledge for the API where no shared service answers it yet: an incident's related past
 * incidents and the org's postmortems. Watchlist and runbooks use their shared services directly.
 */
type Deps = Pick<AppDeps, 'db' | 'incidents' | 'now'> & Partial<Pick<AppDeps, 'catalog'>>;

export async function apiRelated(deps: Deps, caller: ApiCaller, incidentId: string, limit: number) {
  requirePermission(canView(caller.actor));
  const s = await deps.incidents.load(caller.orgId, incidentId);
  // A private incident the token may not see is not found, exactly like one that does not exist.
  if (!s.exists || !canSeeIncident(caller.actor, s).allowed) {
    throw new DomainError('not_found', 'No such incident in this organisation.');
  }
  return searchRelated(deps.db, {
    orgId: caller.orgId,
    text: [s.title, s.description, s.service].filter(Boolean).join(' '),
    service: s.service,
    environment: s.environment,
    excludeIncidentId: s.id,
    fingerprints: s.signals.map((g) => g.fingerprint),
    correlationKeys: s.signals.map((g) => g.correlationKey).filter((k): k is string => !!k),
    limit,
    now: deps.now(),
    // Related incidents never suggest a private one, to anyone (public incidents only; README "Private incidents").
    viewer: 'public',
    neighbours: s.service ? deps.catalog?.neighbours(s.service) : undefined,
  });
}

/** The latest draft of every incident that has one, newest first; `beforeCreatedAt` pages. */
export async function apiPostmortems(deps: Deps, caller: ApiCaller, limit: number) {
  requirePermission(canView(caller.actor));
  const rows = await deps.db
    .selectFrom('postmortems as p')
    .innerJoin('incidents as i', (j) => j.onRef('i.id', '=', 'p.incident_id').onRef('i.org_id', '=', 'p.org_id'))
    .leftJoin('postmortem_prs as pr', (j) =>
      j.onRef('pr.incident_id', '=', 'p.incident_id').onRef('pr.org_id', '=', 'p.org_id'),
    )
    .select([
      'p.incident_id',
      'i.number',
      'i.title',
      'p.version',
      'p.generator',
      'p.model',
      'p.created_by',
      'p.created_at',
      'p.markdown',
      'pr.url as pr_url',
    ])
    .where('p.org_id', '=', caller.orgId)
    .where(visibleRawSql(caller.actor, 'i'))
    .where((eb) =>
      eb(
        'p.version',
        '=',
        eb
          .selectFrom('postmortems as q')
          .select((x) => x.fn.max('q.version').as('v'))
          .whereRef('q.org_id', '=', 'p.org_id')
          .whereRef('q.incident_id', '=', 'p.incident_id'),
      ),
    )
    .orderBy('p.created_at', 'desc')
    .orderBy('p.incident_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    incidentId: r.incident_id,
    incidentNumber: Number(r.number),
    title: r.title,
    version: Number(r.version),
    generator: r.generator,
    model: r.model,
    createdBy: r.created_by,
    createdAt: r.created_at,
    prUrl: r.pr_url ?? null,
    markdown: r.markdown,
  }));
}
