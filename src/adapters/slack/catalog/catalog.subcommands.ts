import type { AppDeps } from '../../../app/deps';
import { listServices } from '../../../app/catalog.service';
import { listIncidentSignals } from '../../../app/incident-signals.service';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { servicesBlocks, signalsBlocks } from './catalog.blocks';

async function services(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const catalog = listServices(deps, ctx.actor);
  return servicesBlocks(catalog, deps.catalog?.root);
}

async function signals(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const list = await listIncidentSignals(deps, { orgId: ctx.orgId, actor: ctx.actor, incidentId: ctx.incident!.id });
  return signalsBlocks(list);
}

/** `/incident services` (the catalog and its problems) and `/incident signals` (in a channel: why each joined). */
export const catalogSubcommands: Subcommand[] = [
  {
    name: 'services',
    aliases: ['catalog'],
    usage: '`services` — the service catalog (owners, tiers, dependencies)',
    run: services,
  },
  {
    name: 'signals',
    usage: "`signals` — this incident's signals and why each joined",
    needsIncident: true,
    run: signals,
  },
];
