import { checkCanGrant, grantAccess } from '../../../app/access.service';
import { DomainError } from '../../../shared/domain-error';
import { roleLabel } from '../../../shared/roles';
import { parseUserMention, splitFirst } from '../command.parser';
import type { Subcommand } from './subcommand';

const USAGE = 'Usage: `/incident access grant @user <admin|sre_lead|responder|viewer>`';

export const accessSubcommands: Subcommand[] = [
  {
    name: 'access',
    usage: '`access grant @user <admin|sre_lead|responder|viewer>`',
    async run(ctx, deps) {
      checkCanGrant(ctx.actor);
      const [verb, tail] = splitFirst(ctx.args);
      if (verb !== 'grant') throw new DomainError('invalid_input', USAGE);
      const [mention, roleWord] = splitFirst(tail);
      const g = await grantAccess(deps, {
        orgId: ctx.orgId,
        actor: ctx.actor,
        userId: parseUserMention(mention),
        role: splitFirst(roleWord)[0],
      });
      return { text: `<@${g.userId}> is now ${roleLabel(g.role)}.` };
    },
  },
];
