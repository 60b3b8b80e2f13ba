import { type Kysely, PostgresAdapter } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Watchlist: one entry per org, service and environment, plus its history of changes. */
export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('watchlist')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // AT_RISK | BREACHED | CLEARED
    .addColumn('risk_score', 'real', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('logs', 'text', (c) => c.notNull().defaultTo('[]')) // JSON: first 5 log lines
    .addColumn('correlation_key', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('firing_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_detected_at', 'text', (c) => c.notNull())
    .addColumn('last_updated_at', 'text', (c) => c.notNull())
    .addColumn('cleared_at', 'text')
    .addColumn('cleared_by', 'text')
    .addPrimaryKeyConstraint('watchlist_pk', ['org_id', 'service', 'environment'])
    .execute();
  await db.schema.createIndex('watchlist_org_status').on('watchlist').columns(['org_id', 'status', 'risk_score']).execute();

  const hist = db.schema.createTable('watchlist_history');
  await (pg ? hist.addColumn('id', 'bigserial', (c) => c.primaryKey()) : hist.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('risk_score', 'real', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull()) // signal | cleared_by_user | resolved
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('watchlist_history_entry').on('watchlist_history').columns(['org_id', 'service', 'environment', 'at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('watchlist_history').ifExists().execute();
  await db.schema.dropTable('watchlist').ifExists().execute();
}
