import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { DB } from '../db/schema';
import type { TokenCipher } from './token-cipher';

/**
 * Bolt's InstallationStore on our own `slack_installations` table. The org id is the team id, or the
 * enterprise id for an org-wide install; it is the tenancy key everywhere else too.
 */

type AnyInstallation = Installation<'v1' | 'v2', boolean>;

export function orgIdOfInstallation(i: AnyInstallation): string | undefined {
  return i.isEnterpriseInstall ? i.enterprise?.id : i.team?.id;
}

export function orgIdOfQuery(q: InstallationQuery<boolean>): string | undefined {
  return q.isEnterpriseInstall ? q.enterpriseId : q.teamId;
}

/** Associated data for the cipher: a sealed value only opens in the row and column it was written for. */
const aad = (orgId: string, column: 'bot_token' | 'installation') => `slack_installations:${orgId}:${column}`;

function unseal(cipher: TokenCipher, sealed: string, orgId: string, column: 'bot_token' | 'installation'): string {
  try {
    return cipher.open(sealed, aad(orgId, column));
  } catch {
    throw new Error(`the stored Slack ${column} of ${orgId} cannot be decrypted (was SLACK_STATE_SECRET changed?); reinstall the app through /slack/install`);
  }
}

/** Insert or replace (a reinstall clears revoked_at and stores the new tokens). */
export async function saveInstallation(db: DB, cipher: TokenCipher, installation: AnyInstallation, at: Date): Promise<string> {
  const orgId = orgIdOfInstallation(installation);
  if (!orgId) throw new Error('installation has neither a team id nor an enterprise id');
  const row = {
    enterprise_id: installation.enterprise?.id ?? null,
    team_id: installation.team?.id ?? null,
    is_enterprise_install: installation.isEnterpriseInstall ? 1 : 0,
    bot_token: installation.bot?.token ? cipher.seal(installation.bot.token, aad(orgId, 'bot_token')) : null,
    bot_user_id: installation.bot?.userId ?? null,
    bot_id: installation.bot?.id ?? null,
    user_id: installation.user?.id ?? null,
    installation: cipher.seal(JSON.stringify(installation), aad(orgId, 'installation')),
    installed_at: at.toISOString(),
    revoked_at: null,
  };
  await db
    .insertInto('slack_installations')
    .values({ org_id: orgId, ...row })
    .onConflict((oc) => oc.column('org_id').doUpdateSet(row))
    .execute();
  return orgId;
}

/** The live installation of an org, or undefined when there is none or it was uninstalled. */
export async function loadInstallation(db: DB, cipher: TokenCipher, orgId: string): Promise<AnyInstallation | undefined> {
  const row = await db
    .selectFrom('slack_installations')
    .select('installation')
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row?.installation) return undefined;
  return JSON.parse(unseal(cipher, row.installation, orgId, 'installation')) as AnyInstallation;
}

/** The bot token for delivering effects; undefined once the workspace uninstalled us. */
export async function botTokenFor(db: DB, cipher: TokenCipher, orgId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('slack_installations')
    .select('bot_token')
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.bot_token ? unseal(cipher, row.bot_token, orgId, 'bot_token') : undefined;
}

/** Uninstall or bot-token revocation: forget every token, keep the row (who, when) for the operator. */
export async function revokeInstallation(db: DB, orgId: string, at: Date): Promise<boolean> {
  const res = await db
    .updateTable('slack_installations')
    .set({ bot_token: null, installation: null, revoked_at: at.toISOString() })
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Only user tokens were revoked: drop the installer's user token, keep the bot working. */
export async function revokeUserTokens(db: DB, cipher: TokenCipher, orgId: string, userIds: string[]): Promise<boolean> {
  const current = await loadInstallation(db, cipher, orgId);
  if (!current?.user?.token || !userIds.includes(current.user.id)) return false;
  const updated = { ...current, user: { id: current.user.id, scopes: current.user.scopes, token: undefined } };
  await db
    .updateTable('slack_installations')
    .set({ installation: cipher.seal(JSON.stringify(updated), aad(orgId, 'installation')) })
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .execute();
  return true;
}

export function createInstallationStore(db: DB, cipher: TokenCipher, now: () => Date): InstallationStore {
  return {
    async storeInstallation(installation) {
      await saveInstallation(db, cipher, installation, now());
    },
    async fetchInstallation(query) {
      const orgId = orgIdOfQuery(query);
      const found = orgId ? await loadInstallation(db, cipher, orgId) : undefined;
      // Bolt turns this into an authorization failure: no listener runs for a workspace without us.
      if (!found) throw new Error(`no installation for ${orgId ?? 'an unidentified workspace'}`);
      return found;
    },
    async deleteInstallation(query) {
      const orgId = orgIdOfQuery(query);
      if (orgId) await revokeInstallation(db, orgId, now());
    },
  };
}
