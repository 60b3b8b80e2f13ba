import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { findByIdempotencyKey } from '../adapters/db/event-store';
import { type CatalogRunbooks, loadGuidanceContext } from '../adapters/db/guidance.context';
import { findIncidentById } from '../adapters/db/incident.queries';
import { enqueueEffects } from '../adapters/db/outbox.repo';
import type { DB } from '../adapters/db/schema';
import type { RunbookFiles } from '../adapters/runbooks/runbook-files';
import { buildGuidance } from '../guidance/guidance.builder';
import { type SuspectChangeFact, withSuspectFirst } from '../guidance/guidance.suspect';
import type { MappingSource } from '../changes/change.mapping';
import { suspectChangeOf } from './rollback-reads.service';
import { guidanceRecord } from '../guidance/guidance.record';
import type { GuidanceContext, GuidanceResult, GuidanceView } from '../guidance/guidance.types';
import { canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import type { PlannedEffect } from './effects';
import type { IncidentService } from './incident.service';

/** Guidance from a model, falling back to the deterministic builder (and saying why) when it cannot answer. */
export interface GuidanceDrafterPort {
  readonly usesModel: boolean;
  generate(ctx: GuidanceContext): Promise<GuidanceResult>;
}

/** What to post: the Slack adapter renders it (Block Kit) as the outbox effect written with the record. */
export interface GuidanceMessage {
  incidentId: string;
  incidentNumber: number;
  view: GuidanceView;
}
export type GuidancePostPlanner = (message: GuidanceMessage) => PlannedEffect;

export interface GuidanceServiceDeps {
  db: DB;
  incidents: Pick<IncidentService, 'execute' | 'load'>;
  runbooks?: RunbookFiles;
  /** Which services roll back how (the suspect deployment's step offers Roll back when configured). */
  changesMapping?: MappingSource;
  /** `revenant/runbook` annotations of the service catalog (a file's steps, or a link). */
  catalogRunbooks?: CatalogRunbooks;
  logger: Pick<Logger, 'warn'>;
  now: () => Date;
  drafter: GuidanceDrafterPort;
  planPost: GuidancePostPlanner;
}

export interface GuidanceRequest {
  orgId: string;
  incidentId: string;
  actor: Actor;
  /** Slack's trigger: a retried request neither calls the model again nor posts twice. */
  idempotencyKey?: string;
}

export type GuidanceOutcome =
  { duplicate: true } | { duplicate: false; incidentNumber: number; result: GuidanceResult };

export type AddSuggestionOutcome = { incidentNumber: number } & (
  { added: true } | { added: false; reason: 'already_open' | 'duplicate' }
);

/** Without a model: runbooks and past incidents only. */
export const deterministicGuidance: GuidanceDrafterPort = {
  usesModel: false,
  generate: async (ctx) => ({ guidance: buildGuidance(ctx), latencyMs: 0 }),
};

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
/** The suspect deployment's step goes first, whichever drafter produced the rest (guidance.suspect.ts). */
const withSuspect = (r: GuidanceResult, s: SuspectChangeFact | undefined): GuidanceResult =>
  s ? { ...r, guidance: withSuspectFirst(r.guidance, s) } : r;
/** The catalog's runbook links travel with the answer, whichever drafter produced it. */
const withLinks = (r: GuidanceResult, ctx: GuidanceContext): GuidanceResult =>
  ctx.runbookLinks?.length ? { ...r, runbookLinks: ctx.runbookLinks } : r;

export type GuidanceService = ReturnType<typeof createGuidanceService>;

export function createGuidanceService(deps: GuidanceServiceDeps) {
  /**
   * Guidance for an incident. Anyone who can view may ask, and every request is recorded
   * (GUIDANCE_GENERATED names who asked, the model and the tokens spent): it posts in the incident's
   * thread, so the log should say who caused that, and AI cost is accounted per incident.
   */
  async function forIncident(req: GuidanceRequest): Promise<GuidanceOutcome> {
    const { orgId, incidentId, actor } = req;
    requirePermission(canView(actor));
    // A retry of a request already answered: skip the (slow, paid) model call.
    if (req.idempotencyKey && (await findByIdempotencyKey(deps.db, orgId, req.idempotencyKey)))
      return { duplicate: true };
    const state = await deps.incidents.load(orgId, incidentId);
    if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
    const context = await loadGuidanceContext(deps.db, deps.runbooks, state, deps.now(), deps.catalogRunbooks);
    const suspect = await suspectChangeOf(deps, state);
    const result = withSuspect(withLinks(await deps.drafter.generate(context), context), suspect);
    if (result.fallbackReason) {
      const { fallbackReason: reason, errorDetail: detail, latencyMs: ms } = result;
      deps.logger.warn({ incidentId, reason, detail, ms }, 'guidance fell back to runbooks');
    }
    const post = deps.planPost({ incidentId, incidentNumber: state.number, view: result });
    const res = await deps.incidents.execute({
      ...req,
      // The post is enqueued in the transaction that records the guidance: both or neither, and a
      // retry with the same key finds the record and enqueues nothing.
      command: async (trx) => {
        await enqueueEffects(trx, orgId, incidentId, [post], deps.now());
        return { type: 'RecordGuidance', ...guidanceRecord(result) };
      },
    });
    return res.duplicate ? { duplicate: true } : { duplicate: false, incidentNumber: state.number, result };
  }

  /**
   * A suggested action becomes a follow-up. The suggestion names its incident, which must be the one of
   * the channel it was pressed in (`channelId`): a suggestion naming any other incident is refused.
   */
  async function addSuggestion(
    req: GuidanceRequest & { channelId?: string; text: string },
  ): Promise<AddSuggestionOutcome> {
    const { orgId, actor } = req;
    const incident = await findIncidentById(deps.db, orgId, req.incidentId);
    if (!incident || !req.channelId || incident.channel_id !== req.channelId) {
      throw new DomainError(
        'forbidden',
        "That suggestion belongs to another incident; add it from that incident's channel.",
      );
    }
    const incidentNumber = Number(incident.number);
    const state = await deps.incidents.load(orgId, incident.id);
    if (state.actions.some((a) => !a.done && norm(a.text) === norm(req.text)))
      return { incidentNumber, added: false, reason: 'already_open' };
    const res = await deps.incidents.execute({
      orgId,
      incidentId: incident.id,
      actor,
      idempotencyKey: req.idempotencyKey,
      command: { type: 'AddAction', actionId: randomUUID(), text: req.text },
    });
    return res.duplicate ? { incidentNumber, added: false, reason: 'duplicate' } : { incidentNumber, added: true };
  }

  /**
   * Guidance for a reader outside Slack (the REST API, the console): computed the same way, posted nowhere.
   * A model call is still recorded (GUIDANCE_GENERATED) because it may have cost; a deterministic answer writes nothing.
   */
  async function preview(req: GuidanceRequest): Promise<{ incidentNumber: number; result: GuidanceResult }> {
    const { orgId, incidentId, actor } = req;
    requirePermission(canView(actor));
    const state = await deps.incidents.load(orgId, incidentId);
    if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
    const context = await loadGuidanceContext(deps.db, deps.runbooks, state, deps.now(), deps.catalogRunbooks);
    const suspect = await suspectChangeOf(deps, state);
    const result = withSuspect(withLinks(await deps.drafter.generate(context), context), suspect);
    if (deps.drafter.usesModel) {
      await deps.incidents.execute({ ...req, command: { type: 'RecordGuidance', ...guidanceRecord(result) } });
    }
    return { incidentNumber: state.number, result };
  }

  return { usesModel: deps.drafter.usesModel, forIncident, preview, addSuggestion };
}
