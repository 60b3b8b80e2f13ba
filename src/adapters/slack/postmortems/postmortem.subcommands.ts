import type { Subcommand } from '../subcommands/subcommand';
import { postmortemServiceFor } from './postmortem.wiring';

export const postmortemSubcommands: Subcommand[] = [
  {
    name: 'postmortem',
    usage: '`postmortem`',
    minRole: 'responder',
    needsIncident: true,
    // Names, related incidents and possibly a model call: ack first, answer through response_url.
    slow: true,
    async run(ctx, deps) {
      const service = postmortemServiceFor(deps, ctx.client);
      const r = await service.draft({
        orgId: ctx.orgId,
        incidentId: ctx.incident!.id,
        actor: ctx.actor,
        idempotencyKey: ctx.idempotencyKey,
      });
      if (r.duplicate) return { text: `Already handled: postmortem draft v${r.version} is in the channel.` };
      return {
        text: `:memo: Postmortem draft v${r.version} is being posted in the channel, with *Create PR*, *Regenerate* and *Download* buttons.`,
      };
    },
  },
];
