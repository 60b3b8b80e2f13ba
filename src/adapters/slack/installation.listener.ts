import type { Context } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { type InstallationDeps, tokensRevoked, workspaceUninstalled } from '../../app/installation.service';
import type { ListenerModule } from './bolt-app';
import { revokeInstallation, revokeUserTokens } from './installation-store';
import type { TokenCipher } from './token-cipher';

/** The tenancy key of an event: the enterprise for an org-wide install, else the workspace. */
const orgOf = (context: Context): string | undefined =>
  context.isEnterpriseInstall ? context.enterpriseId : context.teamId;

const installationDeps = (deps: AppDeps, cipher: TokenCipher): InstallationDeps => ({
  installations: {
    revokeWorkspace: (orgId, at) => revokeInstallation(deps.db, orgId, at),
    revokeUsers: (orgId, userIds) => revokeUserTokens(deps.db, cipher, orgId, userIds),
  },
  now: deps.now,
  kickOutbox: deps.kickOutbox,
});

/**
 * Uninstall and token revocation (OAuth mode). Bolt runs these without authorizing (the tokens are
 * already dead); the installation service deletes ours.
 */
export function installationListener(cipher: TokenCipher): ListenerModule {
  return (app, deps) => {
    app.event('app_uninstalled', async ({ context }) => {
      const orgId = orgOf(context);
      if (!orgId) return;
      const { revoked } = await workspaceUninstalled(installationDeps(deps, cipher), orgId);
      deps.logger.info({ orgId, revoked }, 'Slack app uninstalled: tokens deleted');
    });

    app.event('tokens_revoked', async ({ event, context }) => {
      const orgId = orgOf(context);
      if (!orgId) return;
      const input = { orgId, botTokens: event.tokens.bot?.length ?? 0, userIds: event.tokens.oauth ?? [] };
      const r = await tokensRevoked(installationDeps(deps, cipher), input);
      if (r.scope === 'bot')
        deps.logger.info({ orgId, revoked: r.revoked }, 'Slack bot token revoked: installation tokens deleted');
      else if (r.scope === 'user') deps.logger.info({ orgId, revoked: r.revoked }, 'Slack user token revoked');
    });
  };
}
