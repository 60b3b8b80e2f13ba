import { addConnector, checkCanManageConnectors, listConnectors } from '../../../app/connector.service';
import { DomainError } from '../../../shared/domain-error';
import { CONNECTOR_KINDS } from '../../../signals/normalisers';
import { splitFirst } from '../command.parser';
import { watchlistReply } from '../digest/digest.subcommands';
import type { Subcommand } from './subcommand';

const USAGE = `Usage: \`/incident connector add <${CONNECTOR_KINDS.join('|')}> [name]\` or \`/incident connector list\``;

export const connectorSubcommands: Subcommand[] = [
  {
    name: 'connector',
    usage: '`connector add <kind> [name]` · `connector list`',
    async run(ctx, deps) {
      checkCanManageConnectors(ctx.actor);
      const [verb, tail] = splitFirst(ctx.args);
      if (verb === 'list') {
        const all = await listConnectors(deps, { orgId: ctx.orgId, actor: ctx.actor });
        if (all.length === 0) return { text: `No connectors yet. ${USAGE}` };
        const lines = all.map(
          (c) => `• \`${c.id}\` ${c.kind} “${c.name}”${c.revokedAt ? ' (revoked)' : ''} — ${c.url}`,
        );
        return { text: `Connectors:\n${lines.join('\n')}` };
      }
      if (verb !== 'add') throw new DomainError('invalid_input', USAGE);
      const [kind, name] = splitFirst(tail);
      if (!kind) throw new DomainError('invalid_input', USAGE);
      // Ephemeral (the default reply): the token is shown to the admin who asked, once.
      const c = await addConnector(deps, {
        orgId: ctx.orgId,
        actor: ctx.actor,
        kind,
        name,
        idempotencyKey: ctx.idempotencyKey,
      });
      return {
        text: [
          `:electric_plug: Connector \`${c.id}\` (${c.kind}) created. Only you can see this, and the token is shown once:`,
          `*URL* ${c.url}`,
          `*Token* \`${c.token}\``,
          'Send it as `Authorization: Bearer <token>`. Setup for each sender: docs/connectors.md.',
        ].join('\n'),
      };
    },
  },
  {
    name: 'watchlist',
    usage: '`watchlist`',
    // The digest's blocks, with their Declare / Clear / Open buttons. Every member may see it.
    run: (ctx, deps) => watchlistReply(ctx, deps),
  },
];
