import { draftPostmortemVersion } from '../postmortem.workflow';
import { actorOf } from './core.subcommands';
import type { Subcommand } from './subcommand';

export const postmortemSubcommands: Subcommand[] = [
  {
    name: 'postmortem',
    usage: '`postmortem`',
    minRole: 'responder',
    needsIncident: true,
    // Names, related incidents and possibly a model call: ack first, answer through response_url.
    slow: true,
    async run(ctx, deps) {
      const r = await draftPostmortemVersion(deps, { orgId: ctx.orgId, incidentId: ctx.incident!.id, actor: actorOf(ctx), client: ctx.client, idempotencyKey: ctx.idempotencyKey });
      if (r.duplicate) return { text: `Already handled: postmortem draft v${r.version} is in the channel.` };
      return { text: `:memo: Postmortem draft v${r.version} is being posted in the channel, with *Create PR*, *Regenerate* and *Download* buttons.` };
    },
  },
];
