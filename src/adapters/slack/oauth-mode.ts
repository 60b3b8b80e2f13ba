import type { HTTPReceiverOptions } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../app/deps';
import type { Config } from '../../config';
import type { ListenerModule } from './bolt-app';
import { botTokenFor, createInstallationStore, orgIdOfInstallation } from './installation-store';
import { installationListener } from './installation.listener';
import { createTokenCipher } from './token-cipher';

/** The bot scopes we ask for at install: exactly manifest.yml's `oauth_config.scopes.bot` (a unit test holds them equal). */
export const BOT_SCOPES = [
  'commands',
  'channels:manage',
  'channels:read',
  'channels:join',
  'channels:history',
  'groups:write',
  'groups:read',
  'groups:history',
  'chat:write',
  'pins:write',
  'pins:read',
  'reactions:read',
  'users:read',
  'usergroups:read',
  'im:write',
  'files:write',
] as const;

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export interface OAuthMode {
  /** Spread into the HTTPReceiver: serves the install and redirect paths and authorizes each request from the store. */
  receiverOptions: Pick<HTTPReceiverOptions, 'clientId' | 'clientSecret' | 'stateSecret' | 'installationStore' | 'scopes' | 'installerOptions'>;
  /** A delivery client with the workspace's stored bot token; undefined after uninstall. */
  clientFor(orgId: string): Promise<WebClient | undefined>;
  listener: ListenerModule;
}

/** Multi-workspace mode: installations live in `slack_installations`, tokens encrypted with a key from SLACK_STATE_SECRET. */
export function createOAuthMode(config: Config, deps: AppDeps, makeClient: (token: string) => WebClient): OAuthMode {
  const { clientId, clientSecret, stateSecret } = config.slack;
  // loadConfig refuses OAuth mode without these; this guards direct callers.
  if (!clientId || !clientSecret || !stateSecret) throw new Error('OAuth mode needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET');
  const cipher = createTokenCipher(stateSecret);
  const store = createInstallationStore(deps.db, cipher, deps.now);
  const clients = new Map<string, { token: string; client: WebClient }>();

  return {
    receiverOptions: {
      clientId,
      clientSecret,
      stateSecret,
      scopes: [...BOT_SCOPES],
      installationStore: {
        ...store,
        async storeInstallation(installation, logger) {
          await store.storeInstallation(installation, logger);
          deps.logger.info({ orgId: orgIdOfInstallation(installation) }, 'Slack app installed');
        },
      },
      installerOptions: {
        directInstall: true,
        installPath: INSTALL_PATH,
        redirectUriPath: REDIRECT_PATH,
        // The code exchange (oauth.v2.access) and its auth.test go where every other call goes.
        clientOptions: { slackApiUrl: config.slack.apiUrl },
      },
    },
    async clientFor(orgId) {
      const token = await botTokenFor(deps.db, cipher, orgId);
      if (!token) {
        clients.delete(orgId);
        return undefined;
      }
      // Read the token every time (another process may have handled the uninstall); reuse the client while it holds.
      const known = clients.get(orgId);
      if (known?.token === token) return known.client;
      const client = makeClient(token);
      clients.set(orgId, { token, client });
      return client;
    },
    listener: installationListener(cipher),
  };
}
