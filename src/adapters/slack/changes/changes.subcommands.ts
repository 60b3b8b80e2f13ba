import type { AppDeps } from '../../../app/deps';
import { listEnvironments, listRecentChanges } from '../../../app/changes.service';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { changesBlocks } from './changes.blocks';

/** `/incident changes [service] [env]` (viewer+): in an incident channel the service defaults to the incident's. */
async function changes(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const [first, second] = ctx.args.trim().split(/\s+/).filter(Boolean);
  const service = first ?? ctx.incident?.service ?? undefined;
  const environment = second;
  const input = { orgId: ctx.orgId, actor: ctx.actor, service, environment };
  const [recent, environments] = await Promise.all([
    listRecentChanges({ db: deps.db }, { ...input, limit: 20 }),
    listEnvironments({ db: deps.db }, { orgId: ctx.orgId, actor: ctx.actor, service }),
  ]);
  const envs = environment ? environments.filter((e) => e.environment === environment) : environments;
  const rollbackFor = ctx.incident && service ? { incidentId: ctx.incident.id, service } : undefined;
  return changesBlocks({ filter: { service, environment }, changes: recent, environments: envs, rollbackFor });
}

export const changesSubcommands: Subcommand[] = [
  {
    name: 'changes',
    aliases: ['deploys'],
    usage: '`changes [service] [env]` — recent deployments and current versions',
    run: changes,
  },
];
