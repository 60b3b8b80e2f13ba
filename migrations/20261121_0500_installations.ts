import type { Kysely } from 'kysely';

// Migrations take Kysely<any>: they must keep working after the app's types move on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * One row per Slack installation (OAuth mode). org_id is the team id, or the enterprise id for an
 * org-wide install. Tokens and the installation JSON are stored AES-256-GCM encrypted (see
 * src/adapters/slack/token-cipher.ts); uninstalling clears them and stamps revoked_at.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('slack_installations')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('is_enterprise_install', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bot_token', 'text')
    .addColumn('bot_user_id', 'text')
    .addColumn('bot_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('installation', 'text')
    .addColumn('installed_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('slack_installations').ifExists().execute();
}
