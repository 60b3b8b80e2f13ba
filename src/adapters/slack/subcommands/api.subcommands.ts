import { checkCanManageTokens, createApiToken, listTokens, revokeToken } from '../../../app/api-tokens.service';
import { DomainError } from '../../../shared/domain-error';
import { splitFirst } from '../command.parser';
import type { Subcommand } from './subcommand';

const USAGE =
  'Usage: `/incident token create <admin|sre_lead|responder|viewer> <name> [90d]`, `/incident token list` or `/incident token revoke <name>`';

export const apiSubcommands: Subcommand[] = [
  {
    name: 'token',
    usage: '`token create <role> <name> [expiry]` · `token list` · `token revoke <name>`',
    async run(ctx, deps) {
      checkCanManageTokens(ctx.actor);
      const [verb, tail] = splitFirst(ctx.args);
      if (verb === 'list') {
        const all = await listTokens(deps.db, ctx.orgId);
        if (all.length === 0) return { text: `No API tokens yet. ${USAGE}` };
        const state = (t: (typeof all)[number]) =>
          t.revokedAt ? ' (revoked)' : t.expiresAt && t.expiresAt <= deps.now().toISOString() ? ' (expired)' : '';
        return {
          text: `API tokens:\n${all.map((t) => `• \`${t.name}\` ${t.role}${state(t)} — last used ${t.lastUsedAt ?? 'never'}`).join('\n')}`,
        };
      }
      if (verb === 'revoke') {
        const t = await revokeToken(deps.db, ctx.orgId, splitFirst(tail)[0], deps.now());
        return { text: `API token \`${t.name}\` revoked.` };
      }
      if (verb !== 'create') throw new DomainError('invalid_input', USAGE);
      const [role, rest] = splitFirst(tail);
      const [name, expires] = splitFirst(rest);
      if (!role || !name) throw new DomainError('invalid_input', USAGE);
      const r = await createApiToken(deps.db, {
        orgId: ctx.orgId,
        role,
        name,
        expires: splitFirst(expires)[0] || undefined,
        createdBy: ctx.userId,
        now: deps.now(),
      });
      // Ephemeral (the default reply): shown to the admin who asked, once.
      return {
        text: [
          `:key: API token \`${r.token.name}\` (${r.token.role}${r.token.expiresAt ? `, expires ${r.token.expiresAt}` : ''}) created. Only you can see this, and it is shown once:`,
          `\`${r.secret}\``,
          `Send it as \`Authorization: Bearer <token>\` to ${deps.config.publicUrl}/api/v1 (reference: ${deps.config.publicUrl}/api/docs).`,
        ].join('\n'),
      };
    },
  },
];
