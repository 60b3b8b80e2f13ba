import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  apiAddAction,
  apiAddNote,
  apiAssignRole,
  apiChangeSeverity,
  apiChangeStatus,
  apiDeclare,
  type DeclareInput,
  apiGetIncident,
  apiPostUpdate,
  apiSetActionDone,
} from '../../../app/api-incidents.service';
import type { AppDeps } from '../../../app/deps';
import type { IncidentRole, IncidentState, IncidentStatus, Severity } from '../../../incidents/incident.types';
import { BASE, callerOf, incidentReadRoutes, TAG } from './api-incident-reads.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import * as S from './api.schemas';
import { followUpView, incidentView } from './api.views';

export { callerOf };

/** Incident routes: the reads, then every write as the same domain command a slash command sends. */
export function incidentRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  incidentReadRoutes(api, deps);
  // After a write, the snapshot as the caller would read it.
  const snapshot = async (c: Context<ApiEnv>, state: IncidentState, status: 200 | 201 = 200) => {
    const { timeline } = await apiGetIncident(deps, callerOf(c), state.id);
    return c.json(incidentView(state, timeline), status);
  };
  type P = { incidentId: string };

  register(
    api,
    apiRoute({
      method: 'post',
      path: BASE,
      tag: TAG,
      summary: 'Declare an incident (opens its Slack channel)',
      params: S.OrgParams,
      body: S.DeclareBody,
      ok: { status: 201, schema: S.Incident, description: 'Declared' },
    }),
    async (c) => {
      return snapshot(c, await apiDeclare(deps, callerOf(c), input<DeclareInput>(c, 'json')), 201);
    },
  );

  register(
    api,
    apiRoute({
      method: 'patch',
      path: `${BASE}/{incidentId}/status`,
      tag: TAG,
      summary: 'Change the status',
      params: S.IncidentParams,
      body: S.StatusBody,
      ok: { status: 200, schema: S.Incident, description: 'Changed' },
    }),
    async (c) => {
      const b = input<{ status: IncidentStatus; message?: string }>(c, 'json');
      return snapshot(
        c,
        await apiChangeStatus(deps, callerOf(c), input<P>(c, 'param').incidentId, b.status, b.message),
      );
    },
  );

  register(
    api,
    apiRoute({
      method: 'patch',
      path: `${BASE}/{incidentId}/severity`,
      tag: TAG,
      summary: 'Change the severity',
      params: S.IncidentParams,
      body: S.SeverityBody,
      ok: { status: 200, schema: S.Incident, description: 'Changed' },
    }),
    async (c) => {
      const b = input<{ severity: Severity }>(c, 'json');
      return snapshot(c, await apiChangeSeverity(deps, callerOf(c), input<P>(c, 'param').incidentId, b.severity));
    },
  );

  register(
    api,
    apiRoute({
      method: 'put',
      path: `${BASE}/{incidentId}/roles/{role}`,
      tag: TAG,
      summary: 'Set an incident role (the user is invited)',
      params: S.RoleParams,
      body: S.RoleBody,
      ok: { status: 200, schema: S.Incident, description: 'Set' },
    }),
    async (c) => {
      const p = input<P & { role: IncidentRole }>(c, 'param');
      return snapshot(
        c,
        await apiAssignRole(deps, callerOf(c), p.incidentId, p.role, input<{ userId: string }>(c, 'json').userId),
      );
    },
  );

  register(
    api,
    apiRoute({
      method: 'post',
      path: `${BASE}/{incidentId}/notes`,
      tag: TAG,
      summary: 'Add a timeline note',
      params: S.IncidentParams,
      body: S.TextBody,
      ok: { status: 201, schema: S.Incident, description: 'Added' },
    }),
    async (c) => {
      return snapshot(
        c,
        await apiAddNote(deps, callerOf(c), input<P>(c, 'param').incidentId, input<{ text: string }>(c, 'json').text),
        201,
      );
    },
  );

  register(
    api,
    apiRoute({
      method: 'post',
      path: `${BASE}/{incidentId}/updates`,
      tag: TAG,
      summary: 'Post a stakeholder update',
      params: S.IncidentParams,
      body: S.TextBody,
      ok: { status: 201, schema: S.Incident, description: 'Posted' },
    }),
    async (c) => {
      return snapshot(
        c,
        await apiPostUpdate(
          deps,
          callerOf(c),
          input<P>(c, 'param').incidentId,
          input<{ text: string }>(c, 'json').text,
        ),
        201,
      );
    },
  );

  register(
    api,
    apiRoute({
      method: 'post',
      path: `${BASE}/{incidentId}/actions`,
      tag: TAG,
      summary: 'Add a follow-up action',
      params: S.IncidentParams,
      body: S.ActionBody,
      ok: { status: 201, schema: S.FollowUpResult, description: 'Added' },
    }),
    async (c) => {
      const b = input<{ text: string; owner?: string }>(c, 'json');
      const r = await apiAddAction(deps, callerOf(c), input<P>(c, 'param').incidentId, b.text, b.owner);
      const { timeline } = await apiGetIncident(deps, callerOf(c), r.state.id);
      return c.json({ incident: incidentView(r.state, timeline), followUp: followUpView(r.action) }, 201);
    },
  );

  register(
    api,
    apiRoute({
      method: 'patch',
      path: `${BASE}/{incidentId}/actions/{actionId}`,
      tag: TAG,
      summary: 'Mark a follow-up done',
      params: S.ActionParams,
      body: S.ActionPatchBody,
      ok: { status: 200, schema: S.FollowUpResult, description: 'Updated' },
    }),
    async (c) => {
      const p = input<P & { actionId: string }>(c, 'param');
      const r = await apiSetActionDone(
        deps,
        callerOf(c),
        p.incidentId,
        p.actionId,
        input<{ done: boolean }>(c, 'json').done,
      );
      const { timeline } = await apiGetIncident(deps, callerOf(c), r.state.id);
      return c.json({ incident: incidentView(r.state, timeline), followUp: followUpView(r.action) }, 200);
    },
  );
}
