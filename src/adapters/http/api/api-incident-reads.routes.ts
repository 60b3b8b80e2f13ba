import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  type ApiCaller,
  apiGetIncident,
  apiIncidentEvents,
  apiListIncidents,
} from '../../../app/api-incidents.service';
import { tokenActor } from '../../../app/api-tokens.service';
import type { AppDeps } from '../../../app/deps';
import { decodeCursor, encodeCursor } from './api.cursor';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { problem } from './api.problem';
import * as S from './api.schemas';
import { eventView, incidentSummaryView, incidentView } from './api.views';

export const TAG = 'Incidents';
export const BASE = '/orgs/{orgId}/incidents';

export const callerOf = (c: Context<ApiEnv>): ApiCaller => ({
  orgId: c.get('token').orgId,
  actor: tokenActor(c.get('token')),
  idempotencyKey: c.get('idempotencyKey'),
});

const badCursor = (c: Context<ApiEnv>) =>
  problem(c, 400, 'invalid_input', 'The cursor is not one this list gave out.', {
    errors: [{ in: 'query', path: 'cursor', message: 'unknown cursor' }],
  });

/** Incident reads: the list (filters, keyset cursor), one incident, its event log. */
export function incidentReadRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  type P = { incidentId: string };

  register(
    api,
    apiRoute({
      method: 'get',
      path: BASE,
      tag: TAG,
      summary: 'List incidents, newest first',
      params: S.OrgParams,
      query: S.IncidentListQuery,
      ok: { status: 200, schema: S.IncidentPage, description: 'One page' },
    }),
    async (c) => {
      const q = input<{
        status?: string;
        severity?: string;
        service?: string;
        environment?: string;
        since?: string;
        until?: string;
        q?: string;
        limit: number;
        cursor?: string;
      }>(c, 'query');
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
      return c.json(
        {
          items: page.rows.map(incidentSummaryView),
          next: page.more && last ? encodeCursor('incidents', Number(last.number)) : null,
        },
        200,
      );
    },
  );

  register(
    api,
    apiRoute({
      method: 'get',
      path: `${BASE}/{incidentId}`,
      tag: TAG,
      summary: 'An incident: roles, signals, follow-ups, timeline summary',
      params: S.IncidentParams,
      ok: { status: 200, schema: S.Incident, description: 'The incident' },
    }),
    async (c) => {
      const { state, timeline, sloViolations } = await apiGetIncident(deps, callerOf(c), input<P>(c, 'param').incidentId);
      return c.json({ ...incidentView(state, timeline), sloViolations }, 200);
    },
  );

  register(
    api,
    apiRoute({
      method: 'get',
      path: `${BASE}/{incidentId}/events`,
      tag: TAG,
      summary: 'The event log, oldest first',
      params: S.IncidentParams,
      query: S.EventListQuery,
      ok: { status: 200, schema: S.EventPage, description: 'One page' },
    }),
    async (c) => {
      const q = input<{ limit: number; cursor?: string }>(c, 'query');
      const after = q.cursor === undefined ? 0 : decodeCursor('events', q.cursor);
      if (after === undefined) return badCursor(c);
      const page = await apiIncidentEvents(deps, callerOf(c), input<P>(c, 'param').incidentId, after, q.limit);
      const last = page.events[page.events.length - 1];
      return c.json(
        { items: page.events.map(eventView), next: page.more && last ? encodeCursor('events', last.seq) : null },
        200,
      );
    },
  );
}
