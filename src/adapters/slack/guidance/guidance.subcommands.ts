import { generatorLabel } from '../../../guidance/guidance.labels';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import type { AppDeps } from '../../../app/deps';
import { guidanceServiceFor } from './guidance.wiring';
import { runbookSubcommand } from './runbook.subcommands';

const ALREADY = 'Guidance for this request was already posted in the thread under the pinned summary.';

/** `/incident guidance`: the service gathers, drafts, records and queues the threaded post; this answers the asker. */
async function guidance(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const req = { orgId: ctx.orgId, incidentId: ctx.incident!.id, actor: ctx.actor, idempotencyKey: ctx.idempotencyKey };
  const r = await guidanceServiceFor(deps).forIncident(req);
  if (r.duplicate) return { text: ALREADY };
  const g = r.result.guidance;
  const counts = `${g.actions.length} suggested actions, ${g.questions.length} questions, ${g.related.length} related incidents`;
  return {
    text: `:bulb: Guidance for INC-${r.incidentNumber} posted in the thread under the pinned summary (${counts}).\n_${generatorLabel(r.result)}_`,
  };
}

export const guidanceSubcommands: Subcommand[] = [
  { name: 'guidance', usage: '`guidance`', minRole: 'viewer', needsIncident: true, slow: true, run: guidance },
  runbookSubcommand,
];
