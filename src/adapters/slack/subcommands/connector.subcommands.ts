import { addConnector, checkCanManageConnectors, listConnectors } from '../../../app/connector.service';
import { setConnectorPrivate } from '../../../app/privacy.service';
import { DomainError } from '../../../shared/domain-error';
import { CONNECTOR_KINDS } from '../../../signals/normalisers';
import { CHANGE_CONNECTOR_KINDS } from '../../../changes/change.types';
import { splitFirst } from '../command.parser';
import { watchlistReply } from '../digest/digest.subcommands';
import type { Subcommand } from './subcommand';

const USAGE =
  `Usage: \`/incident connector add <${[...CONNECTOR_KINDS, ...CHANGE_CONNECTOR_KINDS].join('|')}> [name]\`, ` +
  '`/incident connector add heartbeat <name> [every 5m] [grace 2m]`, ' +
  '`/incident connector list` or ' +
  '`/incident connector private <id> on|off`';

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
        const line = (c: (typeof all)[number]) =>
          `• \`${c.id}\` ${c.kind} “${c.name}”${c.revokedAt ? ' (revoked)' : ''} — ${c.url}`;
        // Change senders (deployments, docs/changes.md) are listed apart from alert sources.
        const groups = [
          ['Alert connectors', all.filter((c) => c.category === 'alerts')],
          ['Change connectors (deployments)', all.filter((c) => c.category === 'changes')],
        ] as const;
        const text = groups
          .filter(([, list]) => list.length)
          .map(([title, list]) => `${title}:\n${list.map(line).join('\n')}`)
          .join('\n');
        return { text };
      }
      if (verb === 'private') {
        // Private-only: every incident this connector's alerts open is private (README "Private incidents").
        const [id, onOff] = splitFirst(tail);
        if (!id || !['on', 'off'].includes(onOff)) throw new DomainError('invalid_input', USAGE);
        await setConnectorPrivate(deps, { orgId: ctx.orgId, actor: ctx.actor, id, on: onOff === 'on' });
        return { text: `Connector \`${id}\` ${onOff === 'on' ? 'now opens private incidents only' : 'opens public incidents again'}.` };
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
