import type { Kysely } from 'kysely';

// Migrations take Kysely<any>: they must keep working after the app's types move on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Plain text/integer columns read the same on SQLite and Postgres, so no dialect branch is needed here.
export async function up(db: AnyDb): Promise<void> {
  // Every draft is kept: regenerating never loses the text the team was looking at.
  await db.schema
    .createTable('postmortems')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('generator', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('tokens', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('postmortems_pk', ['incident_id', 'version'])
    .execute();
  await db.schema.createIndex('postmortems_org_incident').on('postmortems').columns(['org_id', 'incident_id']).execute();

  // One PR per incident; content_sha is the blob we last wrote, to tell our text from people's edits.
  await db.schema
    .createTable('postmortem_prs')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('content_sha', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('postmortem_prs_org').on('postmortem_prs').columns(['org_id', 'incident_id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('postmortem_prs').ifExists().execute();
  await db.schema.dropTable('postmortems').ifExists().execute();
}
