import type { IncidentEvent, IncidentState } from '../../../incidents/incident.types';
import { isPrivateRow } from '../../../app/privacy.service';
import type { IncidentRow } from '../../db/schema';

/** Pure builders: domain state and read-model rows → the API's wire shapes (api.schemas.ts). */
const n = <T>(v: T | undefined | null): T | null => (v === undefined ? null : v);
const RECENT = 20;

type TimelineRow = { seq: number; type: string; actor: string; occurred_at: string; text: string };

export function incidentView(s: IncidentState, timeline: TimelineRow[]) {
  return {
    id: s.id,
    number: s.number,
    title: s.title,
    description: n(s.description),
    status: s.status,
    severity: s.severity,
    service: n(s.service),
    environment: n(s.environment),
    source: s.source,
    createdBy: s.createdBy,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    mitigatedAt: n(s.mitigatedAt),
    resolvedAt: n(s.resolvedAt),
    cancelledAt: n(s.cancelledAt),
    lastUpdate: s.lastUpdateAt && s.lastUpdateText ? { at: s.lastUpdateAt, text: s.lastUpdateText } : null,
    roles: { commander: n(s.roles.commander), comms: n(s.roles.comms), scribe: n(s.roles.scribe) },
    channel: s.channelName ? { id: n(s.channelId), name: s.channelName } : null,
    visibility: s.visibility ?? ('public' as const),
    summaryTs: n(s.summaryTs),
    followUps: s.actions.map(followUpView),
    signals: s.signals.map((g) => ({
      fingerprint: g.fingerprint,
      service: g.service,
      environment: g.environment,
      title: g.title,
      risk: g.risk,
      status: g.status,
      source: g.source,
      attachedAt: g.attachedAt,
      lastSeenAt: g.lastSeenAt,
      resolvedAt: n(g.resolvedAt),
    })),
    timeline: {
      count: timeline.length,
      recent: timeline
        .slice(-RECENT)
        .map((t) => ({ seq: Number(t.seq), type: t.type, actor: t.actor, occurredAt: t.occurred_at, text: t.text })),
    },
    postmortem: { version: s.postmortemVersion, prUrl: n(s.postmortemPrUrl) },
    version: s.version,
  };
}

export const followUpView = (a: IncidentState['actions'][number]) => ({
  id: a.id,
  text: a.text,
  owner: n(a.owner),
  done: a.done,
  createdAt: a.createdAt,
  completedAt: n(a.completedAt),
  completedBy: n(a.completedBy),
  // Follow-ups in GitHub Issues: the issue it is tracked as, or the tracker it is being exported to.
  issue: a.issue ? { tracker: a.issue.tracker, repository: a.issue.repository, number: a.issue.number, url: a.issue.url } : null,
  exportPending: a.exportPending ? { tracker: a.exportPending.tracker, repository: a.exportPending.repository } : null,
});

export const incidentSummaryView = (r: IncidentRow) => ({
  id: r.id,
  number: Number(r.number),
  title: r.title,
  status: r.status as IncidentState['status'],
  severity: r.severity as IncidentState['severity'],
  service: r.service,
  environment: r.environment,
  source: r.source,
  channelId: r.channel_id,
  commander: r.commander_id,
  visibility: isPrivateRow(r) ? ('private' as const) : ('public' as const),
  openFollowUps: Number(r.open_action_count),
  openSignals: Number(r.open_signal_count),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  resolvedAt: r.resolved_at,
});

export function eventView(e: IncidentEvent) {
  const { incidentId: _i, orgId: _o, seq, type, actor, occurredAt, ...data } = e;
  return { seq, type, actor, occurredAt, data: data as Record<string, unknown> };
}
