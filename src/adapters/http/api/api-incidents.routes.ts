import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  apiAddAction,
  apiAddNote,
  apiAssignRole,
  apiChangeSeverity,
  apiChangeStatus,
  apiDeclare,
  apiGetIncident,
  apiIncidentEvents,
  apiListIncidents,
  apiPostUpdate,
  apiSetActionDone,
  type ApiCaller,
} from '../../../app/api-incidents.service';
import { tokenActor } from '../../../app/api-tokens.service';
import type { AppDeps } from '../../../app/deps';
import type { IncidentRole, IncidentState, IncidentStatus, Severity } from '../../../incidents/incident.types';
import { decodeCursor, encodeCursor } from './api.cursor';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { problem } from './api.problem';
import * as S from './api.schemas';
import { eventView, followUpView, incidentSummaryView, incidentView } from './api.views';

const TAG = 'Incidents';
const BASE = '/orgs/{orgId}/incidents';

export const callerOf = (c: Context<ApiEnv>): ApiCaller => ({ orgId: c.get('token').orgId, actor: tokenActor(c.get('token')), idempotencyKey: c.get('idempotencyKey') });

const badCursor = (c: Context<ApiEnv>) => problem(c, 400, 'invalid_input', 'The cursor is not one this list gave out.', { errors: [{ in: 'query', path: 'cursor', message: 'unknown cursor' }] });

export function incidentRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  // After a write, the snapshot as the caller would read it.
  const snapshot = async (c: Context<ApiEnv>, state: IncidentState, status: 200 | 201 = 200) => {
    const { timeline } = await apiGetIncident(deps, callerOf(c), state.id);
    return c.json(incidentView(state, timeline), status);
  };
  type P = { incidentId: string };

  register(api, apiRoute({ method: 'get', path: BASE, tag: TAG, summary: 'List incidents, newest first', params: S.OrgParams, query: S.IncidentListQuery, ok: { status: 200, schema: S.IncidentPage, description: 'One page' } }), async (c) => {
    const q = input<{ status?: string; severity?: string; service?: string; environment?: string; since?: string; until?: string; q?: string; limit: number; cursor?: string }>(c, 'query');
    const before = q.cursor === undefined ? undefined : decodeCursor('incidents', q.cursor);
    if (q.cursor !== undefined && before === undefined) return badCursor(c);
    const iso = (s?: string) => (s ? new Date(s).toISOString() : undefined);
    const page = await apiListIncidents(deps, callerOf(c), {
      status: q.status?.split(','),
      severity: q.severity?.split(','),
      service: q.service,
      environment: q.environment,
      since: iso(q.since),
      until: iso(q.until),
      q: q.q,
      beforeNumber: before,
      limit: q.limit,
    });
    const last = page.rows[page.rows.length - 1];
    return c.json({ items: page.rows.map(incidentSummaryView), next: page.more && last ? encodeCursor('incidents', Number(last.number)) : null }, 200);
  });

  register(api, apiRoute({ method: 'post', path: BASE, tag: TAG, summary: 'Declare an incident (opens its Slack channel)', params: S.OrgParams, body: S.DeclareBody, ok: { status: 201, schema: S.Incident, description: 'Declared' } }), async (c) => {
    const b = input<{ title: string; severity: Severity; service?: string; environment?: string; description?: string; commander?: string }>(c, 'json');
    return snapshot(c, await apiDeclare(deps, callerOf(c), b), 201);
  });

  register(api, apiRoute({ method: 'get', path: `${BASE}/{incidentId}`, tag: TAG, summary: 'An incident: roles, signals, follow-ups, timeline summary', params: S.IncidentParams, ok: { status: 200, schema: S.Incident, description: 'The incident' } }), async (c) => {
    const { state, timeline } = await apiGetIncident(deps, callerOf(c), input<P>(c, 'param').incidentId);
    return c.json(incidentView(state, timeline), 200);
  });

  register(api, apiRoute({ method: 'get', path: `${BASE}/{incidentId}/events`, tag: TAG, summary: 'The event log, oldest first', params: S.IncidentParams, query: S.EventListQuery, ok: { status: 200, schema: S.EventPage, description: 'One page' } }), async (c) => {
    const q = input<{ limit: number; cursor?: string }>(c, 'query');
    const after = q.cursor === undefined ? 0 : decodeCursor('events', q.cursor);
    if (after === undefined) return badCursor(c);
    const page = await apiIncidentEvents(deps, callerOf(c), input<P>(c, 'param').incidentId, after, q.limit);
    const last = page.events[page.events.length - 1];
    return c.json({ items: page.events.map(eventView), next: page.more && last ? encodeCursor('events', last.seq) : null }, 200);
  });

  register(api, apiRoute({ method: 'patch', path: `${BASE}/{incidentId}/status`, tag: TAG, summary: 'Change the status', params: S.IncidentParams, body: S.StatusBody, ok: { status: 200, schema: S.Incident, description: 'Changed' } }), async (c) => {
    const b = input<{ status: IncidentStatus; message?: string }>(c, 'json');
    return snapshot(c, await apiChangeStatus(deps, callerOf(c), input<P>(c, 'param').incidentId, b.status, b.message));
  });

  register(api, apiRoute({ method: 'patch', path: `${BASE}/{incidentId}/severity`, tag: TAG, summary: 'Change the severity', params: S.IncidentParams, body: S.SeverityBody, ok: { status: 200, schema: S.Incident, description: 'Changed' } }), async (c) => {
    const b = input<{ severity: Severity }>(c, 'json');
    return snapshot(c, await apiChangeSeverity(deps, callerOf(c), input<P>(c, 'param').incidentId, b.severity));
  });

  register(api, apiRoute({ method: 'put', path: `${BASE}/{incidentId}/roles/{role}`, tag: TAG, summary: 'Set an incident role (the user is invited)', params: S.RoleParams, body: S.RoleBody, ok: { status: 200, schema: S.Incident, description: 'Set' } }), async (c) => {
    const p = input<P & { role: IncidentRole }>(c, 'param');
    return snapshot(c, await apiAssignRole(deps, callerOf(c), p.incidentId, p.role, input<{ userId: string }>(c, 'json').userId));
  });

  register(api, apiRoute({ method: 'post', path: `${BASE}/{incidentId}/notes`, tag: TAG, summary: 'Add a timeline note', params: S.IncidentParams, body: S.TextBody, ok: { status: 201, schema: S.Incident, description: 'Added' } }), async (c) => {
    return snapshot(c, await apiAddNote(deps, callerOf(c), input<P>(c, 'param').incidentId, input<{ text: string }>(c, 'json').text), 201);
  });

  register(api, apiRoute({ method: 'post', path: `${BASE}/{incidentId}/updates`, tag: TAG, summary: 'Post a stakeholder update', params: S.IncidentParams, body: S.TextBody, ok: { status: 201, schema: S.Incident, description: 'Posted' } }), async (c) => {
    return snapshot(c, await apiPostUpdate(deps, callerOf(c), input<P>(c, 'param').incidentId, input<{ text: string }>(c, 'json').text), 201);
  });

  register(api, apiRoute({ method: 'post', path: `${BASE}/{incidentId}/actions`, tag: TAG, summary: 'Add a follow-up action', params: S.IncidentParams, body: S.ActionBody, ok: { status: 201, schema: S.FollowUpResult, description: 'Added' } }), async (c) => {
    const b = input<{ text: string; owner?: string }>(c, 'json');
    const r = await apiAddAction(deps, callerOf(c), input<P>(c, 'param').incidentId, b.text, b.owner);
    const { timeline } = await apiGetIncident(deps, callerOf(c), r.state.id);
    return c.json({ incident: incidentView(r.state, timeline), followUp: followUpView(r.action) }, 201);
  });

  register(api, apiRoute({ method: 'patch', path: `${BASE}/{incidentId}/actions/{actionId}`, tag: TAG, summary: 'Mark a follow-up done', params: S.ActionParams, body: S.ActionPatchBody, ok: { status: 200, schema: S.FollowUpResult, description: 'Updated' } }), async (c) => {
    const p = input<P & { actionId: string }>(c, 'param');
    const r = await apiSetActionDone(deps, callerOf(c), p.incidentId, p.actionId, input<{ done: boolean }>(c, 'json').done);
    const { timeline } = await apiGetIncident(deps, callerOf(c), r.state.id);
    return c.json({ incident: incidentView(r.state, timeline), followUp: followUpView(r.action) }, 200);
  });
}
