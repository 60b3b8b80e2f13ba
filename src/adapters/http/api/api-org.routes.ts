import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { apiMembers } from '../../../app/api-incidents.service';
import type { AppDeps } from '../../../app/deps';
import { callerOf } from './api-incidents.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, register } from './api.openapi';
import * as S from './api.schemas';

export function orgRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs',
      tag: 'Orgs',
      summary: 'The organisations this token may see (its own)',
      ok: { status: 200, schema: z.object({ items: z.array(S.Org) }), description: 'Orgs' },
    }),
    async (c) => {
      const t = c.get('token');
      return c.json({ items: [{ id: t.orgId, role: t.role, token: t.name }] }, 200);
    },
  );
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/members',
      tag: 'Orgs',
      summary: 'People with a role grant, and their roles',
      params: S.OrgParams,
      ok: { status: 200, schema: z.object({ items: z.array(S.Member) }), description: 'Members' },
    }),
    async (c) => {
      return c.json({ items: await apiMembers(deps, callerOf(c)) }, 200);
    },
  );
}
