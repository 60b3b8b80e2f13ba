import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Follow-ups in GitHub Issues: the workspace's repository and auto-export switch, the Slack user → GitHub login
 * map, and on each follow-up's read-model row the issue it was exported to (`issue_key` = `github:owner/repo#12`,
 * projected from ACTION_EXPORTED, so the issues webhook finds the follow-up of an issue).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('followup_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('repository', 'text')
    .addColumn('auto_export', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('followup_logins')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('followup_logins_pk', ['org_id', 'user_id'])
    .execute();
  await db.schema.alterTable('incident_actions').addColumn('issue_key', 'text').execute();
  await db.schema.alterTable('incident_actions').addColumn('issue_url', 'text').execute();
  await db.schema.createIndex('incident_actions_issue').on('incident_actions').column('issue_key').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('incident_actions_issue').ifExists().execute();
  await db.schema.alterTable('incident_actions').dropColumn('issue_url').execute();
  await db.schema.alterTable('incident_actions').dropColumn('issue_key').execute();
  await db.schema.dropTable('followup_logins').ifExists().execute();
  await db.schema.dropTable('followup_settings').ifExists().execute();
}
