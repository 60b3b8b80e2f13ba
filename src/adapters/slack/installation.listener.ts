import type { Context } from '@slack/bolt';
import type { ListenerModule } from './bolt-app';
import { revokeInstallation, revokeUserTokens } from './installation-store';
import type { TokenCipher } from './token-cipher';

/** The tenancy key of an event: the enterprise for an org-wide install, else the workspace. */
const orgOf = (context: Context): string | undefined => (context.isEnterpriseInstall ? context.enterpriseId : context.teamId);

/**
 * Uninstall and token revocation (OAuth mode). Bolt runs these without authorizing (the tokens are
 * already dead); we delete ours, so the outbox fails that org's pending effects with
 * `workspace_not_installed` instead of calling Slack. Both updates are idempotent: retries are harmless.
 */
export function installationListener(cipher: TokenCipher): ListenerModule {
  return (app, deps) => {
    app.event('app_uninstalled', async ({ context }) => {
      const orgId = orgOf(context);
      if (!orgId) return;
      const revoked = await revokeInstallation(deps.db, orgId, deps.now());
      deps.logger.info({ orgId, revoked }, 'Slack app uninstalled: tokens deleted');
      deps.kickOutbox();
    });

    app.event('tokens_revoked', async ({ event, context }) => {
      const orgId = orgOf(context);
      if (!orgId) return;
      if (event.tokens.bot?.length) {
        const revoked = await revokeInstallation(deps.db, orgId, deps.now());
        deps.logger.info({ orgId, revoked }, 'Slack bot token revoked: installation tokens deleted');
        deps.kickOutbox();
      } else if (event.tokens.oauth?.length) {
        const revoked = await revokeUserTokens(deps.db, cipher, orgId, event.tokens.oauth);
        deps.logger.info({ orgId, revoked }, 'Slack user token revoked');
      }
    });
  };
}
