import { DomainError } from '../../../shared/domain-error';
import { CONNECTOR_KINDS } from '../../../signals/normalisers';
import { createConnector, listConnectors, webhookUrl } from '../../db/connector.repo';
import { splitFirst } from '../command.parser';
import { watchlistReply } from '../digest.subcommands';
import type { Subcommand } from './subcommand';

const USAGE = `Usage: \`/incident connector add <${CONNECTOR_KINDS.join('|')}> [name]\` or \`/incident connector list\``;

export const connectorSubcommands: Subcommand[] = [
  {
    name: 'connector',
    usage: '`connector add <kind> [name]` · `connector list`',
    minRole: 'admin',
    async run(ctx, deps) {
      const [verb, tail] = splitFirst(ctx.args);
      if (verb === 'list') {
        const all = await listConnectors(deps.db, ctx.orgId);
        if (all.length === 0) return { text: `No connectors yet. ${USAGE}` };
        const lines = all.map((c) => `• \`${c.id}\` ${c.kind} “${c.name}”${c.revokedAt ? ' (revoked)' : ''} — ${webhookUrl(deps.config.publicUrl, c.id)}`);
        return { text: `Connectors:\n${lines.join('\n')}` };
      }
      if (verb !== 'add') throw new DomainError('invalid_input', USAGE);
      const [kind, name] = splitFirst(tail);
      if (!kind) throw new DomainError('invalid_input', USAGE);
      // Ephemeral (the default reply): the token is shown to the admin who asked, once.
      const c = await createConnector(deps.db, { orgId: ctx.orgId, kind, name, createdBy: ctx.userId, now: deps.now(), requestKey: ctx.idempotencyKey });
      const url = webhookUrl(deps.config.publicUrl, c.id);
      return {
        text: [
          `:electric_plug: Connector \`${c.id}\` (${kind.toLowerCase()}) created. Only you can see this, and the token is shown once:`,
          `*URL* ${url}`,
          `*Token* \`${c.token}\``,
          'Send it as `Authorization: Bearer <token>`. Setup for each sender: docs/connectors.md.',
        ].join('\n'),
      };
    },
  },
  {
    name: 'watchlist',
    usage: '`watchlist`',
    minRole: 'viewer',
    // The digest's blocks, with their Declare / Clear / Open buttons.
    run: (ctx, deps) => watchlistReply(ctx.orgId, deps),
  },
];
