import type { AppDeps } from '../../../app/deps';
import { catchUp } from '../../../app/catchup.service';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { catchupBlocks } from './catchup.blocks';
import { slackChannelReader } from './catchup.reader';

/** `/incident catchup [since]`: acked at once, answered through response_url to the caller only. */
async function catchup(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const result = await catchUp(deps, {
    orgId: ctx.orgId,
    actor: ctx.actor,
    incidentId: ctx.incident!.id,
    since: ctx.args.trim() || undefined,
    reader: slackChannelReader(ctx.client),
  });
  return catchupBlocks(result);
}

export const catchupSubcommands: Subcommand[] = [
  {
    name: 'catchup',
    aliases: ['catch-up'],
    usage: '`catchup [30m|2h|09:00|ISO]` — what you missed (only you see it)',
    needsIncident: true,
    slow: true,
    run: catchup,
  },
];
