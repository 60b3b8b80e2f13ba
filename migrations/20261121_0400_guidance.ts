import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Migrations take Kysely<any>: they must keep working after the app's types move on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const isPg = (db: AnyDb) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('runbooks')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('markdown', 'text')
    .addColumn('url', 'text')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('runbooks_pk', ['org_id', 'service'])
    .execute();

  if (isPg(db)) {
    // One weighted tsvector per incident (title A, everything else B); the GIN index serves `@@`.
    await db.schema
      .createTable('incident_search')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('document', sql`tsvector`, (c) => c.notNull())
      .addColumn('indexed_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_search_pk', ['org_id', 'incident_id'])
      .execute();
    await sql`create index incident_search_document on incident_search using gin (document)`.execute(db);
  } else {
    // Porter stemming so "timeouts" finds "timeout"; org and incident ids ride along unindexed.
    await sql`create virtual table incident_search_fts using fts5(
      org_id unindexed, incident_id unindexed, title, body, tokenize = 'porter unicode61'
    )`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  if (isPg(db)) await db.schema.dropTable('incident_search').ifExists().execute();
  else await sql`drop table if exists incident_search_fts`.execute(db);
  await db.schema.dropTable('runbooks').ifExists().execute();
}
