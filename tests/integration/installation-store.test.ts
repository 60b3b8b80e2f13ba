import type { Installation } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  botTokenFor,
  createInstallationStore,
  loadInstallation,
  revokeInstallation,
  revokeUserTokens,
  saveInstallation,
} from '../../src/adapters/slack/installation-store';
import { createTokenCipher } from '../../src/adapters/slack/token-cipher';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

const at = new Date('2026-11-21T10:00:00.000Z');
const cipher = createTokenCipher('state-secret-for-store-tests');
const teamInstall = (team: string, token: string, userToken?: string): Installation<'v2', false> => ({
  team: { id: team, name: team },
  enterprise: undefined,
  user: { id: 'U0INSTALLER', token: userToken, scopes: userToken ? ['identify'] : undefined },
  bot: { token, scopes: ['commands'], id: 'B0BOT', userId: 'U0BOT' },
  tokenType: 'bot',
  isEnterpriseInstall: false,
  appId: 'A0APP',
  authVersion: 'v2',
});

describe.each(dialects())('slack installation store (%s)', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
  });
  afterAll(async () => tdb?.destroy());

  it('stores, fetches by team, and keeps tokens sealed in the row', async () => {
    const store = createInstallationStore(tdb.db, cipher, () => at);
    await store.storeInstallation(teamInstall('T0ONE', 'xoxb-one'));
    expect(await store.fetchInstallation({ teamId: 'T0ONE', enterpriseId: undefined, isEnterpriseInstall: false })).toEqual(teamInstall('T0ONE', 'xoxb-one'));
    expect(await botTokenFor(tdb.db, cipher, 'T0ONE')).toBe('xoxb-one');
    const raw = await tdb.db.selectFrom('slack_installations').selectAll().where('org_id', '=', 'T0ONE').executeTakeFirstOrThrow();
    expect(raw).toMatchObject({ team_id: 'T0ONE', enterprise_id: null, is_enterprise_install: 0, bot_user_id: 'U0BOT', bot_id: 'B0BOT', user_id: 'U0INSTALLER', installed_at: at.toISOString(), revoked_at: null });
    expect(`${raw.bot_token}${raw.installation}`).not.toContain('xoxb-one');
    await expect(store.fetchInstallation({ teamId: 'T0NONE', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(/no installation for T0NONE/);
  });

  it('keys an org-wide install by its enterprise id', async () => {
    const org: Installation<'v2', true> = { ...teamInstall('x', 'xoxb-org'), team: undefined, enterprise: { id: 'E0ORG', name: 'Org' }, isEnterpriseInstall: true };
    const store = createInstallationStore(tdb.db, cipher, () => at);
    await store.storeInstallation(org);
    expect((await store.fetchInstallation({ teamId: undefined, enterpriseId: 'E0ORG', isEnterpriseInstall: true })).bot?.token).toBe('xoxb-org');
    expect(await tdb.db.selectFrom('slack_installations').select(['team_id', 'enterprise_id', 'is_enterprise_install']).where('org_id', '=', 'E0ORG').executeTakeFirst()).toEqual({ team_id: null, enterprise_id: 'E0ORG', is_enterprise_install: 1 });
  });

  it('revocation forgets the tokens (idempotently); a reinstall brings them back', async () => {
    await saveInstallation(tdb.db, cipher, teamInstall('T0TWO', 'xoxb-two'), at);
    expect(await revokeInstallation(tdb.db, 'T0TWO', at)).toBe(true);
    expect(await revokeInstallation(tdb.db, 'T0TWO', at)).toBe(false);
    expect(await botTokenFor(tdb.db, cipher, 'T0TWO')).toBeUndefined();
    expect(await loadInstallation(tdb.db, cipher, 'T0TWO')).toBeUndefined();
    expect(await tdb.db.selectFrom('slack_installations').select(['bot_token', 'installation', 'revoked_at']).where('org_id', '=', 'T0TWO').executeTakeFirst()).toEqual({ bot_token: null, installation: null, revoked_at: at.toISOString() });
    await saveInstallation(tdb.db, cipher, teamInstall('T0TWO', 'xoxb-two-b'), at);
    expect(await botTokenFor(tdb.db, cipher, 'T0TWO')).toBe('xoxb-two-b');
  });

  it('a user-token revocation keeps the bot token', async () => {
    await saveInstallation(tdb.db, cipher, teamInstall('T0USR', 'xoxb-usr', 'xoxp-usr'), at);
    expect(await revokeUserTokens(tdb.db, cipher, 'T0USR', ['U0SOMEONE'])).toBe(false);
    expect(await revokeUserTokens(tdb.db, cipher, 'T0USR', ['U0INSTALLER'])).toBe(true);
    const after = await loadInstallation(tdb.db, cipher, 'T0USR');
    expect(after?.user.token).toBeUndefined();
    expect(after?.bot?.token).toBe('xoxb-usr');
    expect(JSON.stringify(await tdb.db.selectFrom('slack_installations').selectAll().execute())).not.toContain('xoxp-usr');
  });

  it("a sealed token copied into another workspace's row, or read with another secret, does not open", async () => {
    await saveInstallation(tdb.db, cipher, teamInstall('T0VIC', 'xoxb-victim'), at);
    await saveInstallation(tdb.db, cipher, teamInstall('T0ATK', 'xoxb-attacker'), at);
    const victim = await tdb.db.selectFrom('slack_installations').select('bot_token').where('org_id', '=', 'T0VIC').executeTakeFirstOrThrow();
    await tdb.db.updateTable('slack_installations').set({ bot_token: victim.bot_token }).where('org_id', '=', 'T0ATK').execute();
    await expect(botTokenFor(tdb.db, cipher, 'T0ATK')).rejects.toThrow(/cannot be decrypted/);
    await expect(botTokenFor(tdb.db, createTokenCipher('another-secret'), 'T0VIC')).rejects.toThrow(/SLACK_STATE_SECRET/);
  });
});
