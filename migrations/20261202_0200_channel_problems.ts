import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Why an incident has no channel (every name refused, or Slack refused to create any): shown in App
 * Home and kept until a channel is linked, so the failure is not only a log line.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('incident_channel_problems')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('tried', 'text', (c) => c.notNull()) // JSON array of the names tried
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_channel_problems_pk', ['org_id', 'incident_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('incident_channel_problems').ifExists().execute();
}
