import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Alert connectors, the receipts that recognise a repeated delivery (across incidents and restarts),
 * and the alerts currently firing per service (what the watchlist entry is the worst of).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('connectors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull()) // sha256 hex of the token; the token itself is never stored
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('request_key', 'text') // the Slack trigger / CLI call that created it: a retried request creates nothing
    .execute();
  await db.schema.createIndex('connectors_org').on('connectors').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('connectors_request').unique().on('connectors').columns(['org_id', 'request_key']).execute();

  await db.schema
    .createTable('signal_receipts')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('signal_receipts_pk', ['org_id', 'dedup_key'])
    .execute();
  // For pruning old receipts by age.
  await db.schema.createIndex('signal_receipts_received').on('signal_receipts').columns(['org_id', 'received_at']).execute();

  await db.schema
    .createTable('firing_signals')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull()) // AT_RISK | BREACHED
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('firing_signals_pk', ['org_id', 'source', 'fingerprint'])
    .execute();
  await db.schema.createIndex('firing_signals_entry').on('firing_signals').columns(['org_id', 'service', 'environment', 'level', 'score']).execute();

  // Correlation looks signals up by fingerprint across an org, and an incident's latest signal.
  await db.schema.createIndex('incident_signals_fingerprint').on('incident_signals').columns(['org_id', 'fingerprint']).execute();
  await db.schema.createIndex('incident_signals_latest').on('incident_signals').columns(['incident_id', 'last_seen_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('incident_signals_latest').ifExists().execute();
  await db.schema.dropIndex('incident_signals_fingerprint').ifExists().execute();
  await db.schema.dropTable('firing_signals').ifExists().execute();
  await db.schema.dropTable('signal_receipts').ifExists().execute();
  await db.schema.dropTable('connectors').ifExists().execute();
}
