import type { GuidanceContext, RunbookLink, RunbookRef } from '../../guidance/guidance.types';
import { parseRunbook } from '../../guidance/runbook.parser';
import type { IncidentState } from '../../incidents/incident.types';
import { type RunbookFiles, getRunbook } from '../runbooks/runbook-files';
import type { DB } from './schema';
import { pastActionsOf, searchRelatedTo } from './search.repo';

const MAX_RUNBOOKS = 3;
const RELATED_LIMIT = 5;
const TIMELINE_ROWS = 15;

/**
 * Everything guidance needs about one incident: its runbooks (the incident's service first, then
 * its signals' services), related past incidents of the same org and what was done in them.
 */
/** What guidance takes from the service catalog: `revenant/runbook` (a link or a file) and dependencies. */
export interface CatalogRunbooks {
  annotation(service: string): string | undefined;
  readFile(relative: string): Promise<string | undefined>;
  /** Connected services, so their incidents count as related ("checkout depends on payments"). */
  neighbours?(service: string): Array<{ service: string; reason: string }>;
}

/**
 * Without a workspace or RUNBOOKS_DIR runbook, a catalog annotation naming a file supplies the steps;
 * an annotation that is a URL is passed on as a link.
 */
async function fromCatalog(catalog: CatalogRunbooks | undefined, service: string) {
  const ref = catalog?.annotation(service);
  if (!ref) return {};
  if (/^https?:\/\//i.test(ref)) return { link: { service, url: ref } satisfies RunbookLink };
  const markdown = await catalog!.readFile(ref);
  return markdown ? { runbook: { service, runbook: parseRunbook(markdown, service) } satisfies RunbookRef } : {};
}

export async function loadGuidanceContext(
  db: DB,
  files: RunbookFiles | undefined,
  state: IncidentState,
  now: Date,
  catalog?: CatalogRunbooks,
): Promise<GuidanceContext> {
  const services = [...new Set([state.service, ...state.signals.map((s) => s.service)].filter((s): s is string => !!s?.trim()))].slice(0, MAX_RUNBOOKS);
  const runbooks: RunbookRef[] = [];
  const runbookLinks: RunbookLink[] = [];
  for (const service of services) {
    const loaded = await getRunbook(db, files, state.orgId, service);
    const extra = await fromCatalog(catalog, service);
    if (extra.link) runbookLinks.push(extra.link);
    if (loaded?.runbook) runbooks.push({ service: loaded.service, runbook: loaded.runbook });
    else if (extra.runbook) runbooks.push(extra.runbook);
  }
  const text = [state.title, state.description ?? '', ...state.signals.map((s) => s.title)].join(' ');
  const neighbours = state.service ? catalog?.neighbours?.(state.service) : undefined;
  const related = await searchRelatedTo(db, state, { text, limit: RELATED_LIMIT, now, neighbours });
  const pastActions = await pastActionsOf(db, state.orgId, related);
  const timeline = await db
    .selectFrom('incident_timeline')
    .select('text')
    .where('org_id', '=', state.orgId)
    .where('incident_id', '=', state.id)
    .orderBy('seq', 'desc')
    .limit(TIMELINE_ROWS)
    .execute();
  return {
    incident: {
      id: state.id,
      number: state.number,
      title: state.title,
      description: state.description,
      severity: state.severity,
      status: state.status,
      service: state.service,
      environment: state.environment,
      signals: state.signals.map((s) => ({ title: s.title, service: s.service, environment: s.environment })),
      actions: state.actions.map((a) => ({ text: a.text })),
      timeline: timeline.map((t) => t.text).reverse(),
    },
    runbooks,
    ...(runbookLinks.length ? { runbookLinks } : {}),
    related,
    pastActions,
  };
}
