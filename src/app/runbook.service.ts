import type { DB } from '../adapters/db/schema';
import {
  type LoadedRunbook,
  type RunbookFiles,
  deleteRunbook,
  getRunbook,
  listRunbookServices,
  normaliseService,
  setRunbook,
} from '../adapters/runbooks/runbook-files';
import { canEditRunbook, canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';

export interface RunbookServiceDeps {
  db: DB;
  /** `RUNBOOKS_DIR`; a workspace's stored runbook wins over its file. */
  files?: RunbookFiles;
  now: () => Date;
}

export interface RunbookRequest {
  orgId: string;
  actor: Actor;
  /** As typed (`Payments API`); normalised (`payments-api`) or refused as invalid_input. */
  service: string;
}

export type RunbookService = ReturnType<typeof createRunbookService>;

/** Show, list, set (link or markdown) and clear a workspace's runbooks. Viewing is everyone's; changing is a lead's. */
export function createRunbookService(deps: RunbookServiceDeps) {
  const stored = async (orgId: string, service: string) => {
    const row = await deps.db
      .selectFrom('runbooks')
      .select('markdown')
      .where('org_id', '=', orgId)
      .where('service', '=', service)
      .executeTakeFirst();
    return row?.markdown ?? undefined;
  };

  return {
    async show(req: RunbookRequest): Promise<{ service: string; runbook?: LoadedRunbook }> {
      requirePermission(canView(req.actor));
      const service = normaliseService(req.service);
      return { service, runbook: await getRunbook(deps.db, deps.files, req.orgId, service) };
    },

    async list(req: Omit<RunbookRequest, 'service'>): Promise<string[]> {
      requirePermission(canView(req.actor));
      return listRunbookServices(deps.db, deps.files, req.orgId);
    },

    /** Store a link; markdown stored earlier for this workspace is kept. */
    async setLink(req: RunbookRequest & { url: string }): Promise<LoadedRunbook> {
      requirePermission(canEditRunbook(req.actor));
      const service = normaliseService(req.service);
      const markdown = await stored(req.orgId, service);
      return setRunbook(deps.db, {
        orgId: req.orgId,
        service,
        url: req.url,
        markdown,
        userId: req.actor.id,
        now: deps.now(),
      });
    },

    /** What the edit form starts from (checked before the form opens, and again on save). */
    async startEdit(req: RunbookRequest): Promise<{ service: string; markdown?: string; url?: string }> {
      requirePermission(canEditRunbook(req.actor));
      const service = normaliseService(req.service);
      const loaded = await getRunbook(deps.db, deps.files, req.orgId, service);
      return { service, markdown: loaded?.markdown, url: loaded?.url };
    },

    /** Replace the workspace's runbook (markdown and/or link), e.g. from the edit form. */
    async save(req: RunbookRequest & { markdown?: string; url?: string }): Promise<LoadedRunbook> {
      requirePermission(canEditRunbook(req.actor));
      const { orgId, markdown, url } = req;
      return setRunbook(deps.db, { orgId, service: req.service, markdown, url, userId: req.actor.id, now: deps.now() });
    },

    /** Remove the workspace's runbook so the folder's file (if any) applies again; false when there was none. */
    async clear(req: RunbookRequest): Promise<{ service: string; removed: boolean }> {
      requirePermission(canEditRunbook(req.actor));
      const service = normaliseService(req.service);
      return { service, removed: await deleteRunbook(deps.db, req.orgId, service) };
    },
  };
}
