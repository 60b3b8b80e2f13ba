import type { GuidanceContext, RunbookRef } from '../../guidance/guidance.types';
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
export async function loadGuidanceContext(db: DB, files: RunbookFiles | undefined, state: IncidentState, now: Date): Promise<GuidanceContext> {
  const services = [...new Set([state.service, ...state.signals.map((s) => s.service)].filter((s): s is string => !!s?.trim()))].slice(0, MAX_RUNBOOKS);
  const runbooks: RunbookRef[] = [];
  for (const service of services) {
    const loaded = await getRunbook(db, files, state.orgId, service);
    if (loaded?.runbook) runbooks.push({ service: loaded.service, runbook: loaded.runbook });
  }
  const text = [state.title, state.description ?? '', ...state.signals.map((s) => s.title)].join(' ');
  const related = await searchRelatedTo(db, state, { text, limit: RELATED_LIMIT, now });
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
    related,
    pastActions,
  };
}
