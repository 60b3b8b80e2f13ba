import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Digest settings per workspace, the slot-claim table that makes every scheduled job run once across
 * processes (digests, status-update reminders, archive notices, archives), and reminder snoozes.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('digest_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    // null = the DIGEST_* default from the environment
    .addColumn('channel', 'text')
    .addColumn('cron', 'text')
    .addColumn('timezone', 'text')
    .addColumn('silent_when_empty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('schedule_leases')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // digest | reminder | archive_notice | archive
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo('')) // '' for digests, else the incident id
    .addColumn('slot', 'text', (c) => c.notNull()) // the scheduled minute / due time, ISO UTC
    .addColumn('claimed_by', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('schedule_leases_once', ['org_id', 'kind', 'subject', 'slot'])
    .execute();
  await db.schema.createIndex('schedule_leases_subject').on('schedule_leases').columns(['kind', 'subject']).execute();

  await db.schema
    .createTable('reminder_snoozes')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('snoozed_by', 'text', (c) => c.notNull())
    .addColumn('snoozed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reminder_snoozes_pk', ['org_id', 'incident_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('reminder_snoozes').ifExists().execute();
  await db.schema.dropTable('schedule_leases').ifExists().execute();
  await db.schema.dropTable('digest_settings').ifExists().execute();
}
