import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { apiGetIncident } from '../../../app/api-incidents.service';
import type { AppDeps } from '../../../app/deps';
import { exportFollowUp } from '../../../app/followups.service';
import { followUpDepsOf } from '../../github/followups.wiring';
import { BASE, callerOf, TAG } from './api-incident-reads.routes';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import * as S from './api.schemas';
import { followUpView } from './api.views';

const ExportResult = z
  .object({
    followUp: S.FollowUp,
    export: z.object({
      state: z.enum(['exported', 'pending']),
      repository: z.string(),
      /** Why it is pending beyond the usual (GitHub rate limited or down: retried). */
      note: z.string().nullable(),
    }),
  })
  .openapi('FollowUpExport');

/** `POST …/actions/{actionId}/export`: the same export as the Slack button (followups.service.ts). */
export function followUpRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'post',
      path: `${BASE}/{incidentId}/actions/{actionId}/export`,
      tag: TAG,
      summary: 'Export a follow-up to GitHub Issues (once: a repeat returns the same issue or the pending export)',
      params: S.ActionParams,
      ok: { status: 200, schema: ExportResult, description: 'Exported, or pending in the outbox' },
    }),
    async (c) => {
      const p = input<{ incidentId: string; actionId: string }>(c, 'param');
      const caller = callerOf(c);
      // Visibility and audit as for a read; then the export, whose permission is the service's.
      await apiGetIncident(deps, caller, p.incidentId);
      const r = await exportFollowUp(followUpDepsOf(deps), { ...caller, incidentId: p.incidentId, actionId: p.actionId });
      const state = await deps.incidents.load(caller.orgId, p.incidentId);
      const action = state.actions.find((a) => a.id === p.actionId)!;
      const repository = r.kind === 'exported' ? r.issue.repository : r.repository;
      const note = r.kind === 'pending' ? (r.note ?? null) : null;
      return c.json({ followUp: followUpView(action), export: { state: r.kind, repository, note } }, 200);
    },
  );
}
