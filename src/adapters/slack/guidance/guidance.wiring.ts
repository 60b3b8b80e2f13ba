import type { AppDeps } from '../../../app/deps';
import { effect } from '../../../app/effects';
import { type GuidanceMessage, type GuidanceService, createGuidanceService } from '../../../app/guidance.service';
import { type RunbookService, createRunbookService } from '../../../app/runbook.service';
import { createGuidanceDrafter } from '../../openai/guidance-llm';
import { guidanceBlocks } from './guidance.blocks';

/** The guidance message, rendered now and posted by the outbox in the thread under the pinned summary. */
export function planGuidancePost(m: GuidanceMessage) {
  const message = guidanceBlocks(m);
  return effect('slack.post', {
    incidentId: m.incidentId,
    text: message.text,
    blocks: message.blocks,
    thread: 'summary',
  });
}

export function guidanceServiceFor(deps: AppDeps): GuidanceService {
  const drafter = deps.guidance?.drafter ?? createGuidanceDrafter(deps.config);
  return createGuidanceService({
    db: deps.db,
    incidents: deps.incidents,
    runbooks: deps.runbooks,
    changesMapping: deps.changesMapping,
    catalogRunbooks: deps.catalog && {
      annotation: (service) => deps.catalog?.serviceInfo(service)?.runbook,
      readFile: (relative) => deps.catalog!.runbookFile(relative),
      neighbours: (service) => deps.catalog?.neighbours(service) ?? [],
    },
    logger: deps.logger,
    now: deps.now,
    drafter,
    planPost: planGuidancePost,
  });
}

export const runbookServiceFor = (deps: AppDeps): RunbookService =>
  createRunbookService({ db: deps.db, files: deps.runbooks, now: deps.now });
