import type { AppDeps } from '../../../app/deps';
import { planRollback, rollbackDepsOf } from '../../../app/rollback.service';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { confirmRollbackModal } from './rollback.blocks';

/**
 * `/incident rollback [service] [env]` in an incident channel: the confirmation (or why not). The service
 * defaults to the incident's, the environment to that of the suspect deployment, then the incident's.
 */
async function rollback(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const [service, environment] = ctx.args.trim().split(/\s+/).filter(Boolean);
  const plan = await planRollback(rollbackDepsOf(deps), {
    orgId: ctx.orgId,
    actor: ctx.actor,
    incidentId: ctx.incident!.id,
    service,
    environment,
  });
  return { modal: confirmRollbackModal(plan) };
}

export const rollbackSubcommands: Subcommand[] = [
  {
    name: 'rollback',
    aliases: ['roll-back'],
    usage:
      '`rollback [service] [env]` — roll the suspect deployment back to the last good version (SRE lead+ or commander)',
    needsIncident: true,
    run: rollback,
  },
];
