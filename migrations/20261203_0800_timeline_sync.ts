import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const COLUMNS = ['edited_at', 'deleted_at', 'corrected_at', 'files'] as const;

/**
 * The timeline keeping up with the channel (issue 19): an entry's row says when its message was edited
 * or deleted in Slack, its corrected time, and its files (JSON links); and each workspace may turn
 * thread capture off. Both are rebuilt from the log (rebuild.ts) except the setting, which is not an event.
 */
export async function up(db: AnyDb): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  for (const c of COLUMNS) await db.schema.alterTable('incident_timeline').addColumn(c, 'text').execute();
  await db.schema
    .createTable('timeline_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('thread_capture', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('timeline_settings').ifExists().execute();
  for (const c of COLUMNS) await db.schema.alterTable('incident_timeline').dropColumn(c).execute();
}
