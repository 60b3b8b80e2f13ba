import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Migrations take Kysely<any>: they must keep working after the app's types move on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const isPg = (db: AnyDb) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: AnyDb): Promise<void> {
  const pg = isPg(db);
  const autoId = (name: string) =>
    (t: any) => (pg ? t.addColumn(name, 'bigserial', (c: any) => c.primaryKey()) : t.addColumn(name, 'integer', (c: any) => c.primaryKey().autoIncrement()));

  await autoId('position')(db.schema.createTable('incident_events'))
    .addColumn('org_id', 'text', (c: any) => c.notNull())
    .addColumn('incident_id', 'text', (c: any) => c.notNull())
    .addColumn('seq', 'integer', (c: any) => c.notNull())
    .addColumn('type', 'text', (c: any) => c.notNull())
    .addColumn('payload', 'text', (c: any) => c.notNull())
    .addColumn('actor', 'text', (c: any) => c.notNull())
    .addColumn('occurred_at', 'text', (c: any) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addUniqueConstraint('incident_events_stream_seq', ['incident_id', 'seq'])
    .execute();
  await db.schema.createIndex('incident_events_idem').unique().on('incident_events').columns(['org_id', 'idempotency_key']).where(sql.ref('idempotency_key'), 'is not', null).execute();
  await db.schema.createIndex('incident_events_org_time').on('incident_events').columns(['org_id', 'occurred_at']).execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('service', 'text')
    .addColumn('environment', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('channel_name', 'text')
    .addColumn('summary_ts', 'text')
    .addColumn('commander_id', 'text')
    .addColumn('comms_id', 'text')
    .addColumn('scribe_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('mitigated_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('last_update_at', 'text')
    .addColumn('last_update_text', 'text')
    .addColumn('signal_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('open_signal_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('action_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('open_action_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('note_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('postmortem_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('postmortem_pr_url', 'text')
    .addUniqueConstraint('incidents_org_number', ['org_id', 'number'])
    .execute();
  await db.schema.createIndex('incidents_org_status_sev').on('incidents').columns(['org_id', 'status', 'severity']).execute();
  await db.schema.createIndex('incidents_org_created').on('incidents').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('incidents_org_channel').on('incidents').columns(['org_id', 'channel_id']).execute();
  await db.schema.createIndex('incidents_org_service').on('incidents').columns(['org_id', 'service', 'environment', 'status']).execute();

  await db.schema
    .createTable('incident_timeline')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_timeline_pk', ['incident_id', 'seq'])
    .execute();
  await db.schema.createIndex('incident_timeline_org').on('incident_timeline').columns(['org_id', 'incident_id']).execute();

  await db.schema
    .createTable('incident_actions')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('action_id', 'text', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('completed_by', 'text')
    .execute();
  await db.schema.createIndex('incident_actions_incident').on('incident_actions').columns(['org_id', 'incident_id']).execute();
  await db.schema.createIndex('incident_actions_owner').on('incident_actions').columns(['org_id', 'owner', 'done']).execute();

  await db.schema
    .createTable('incident_signals')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('risk', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('correlation_key', 'text')
    .addColumn('trace_id', 'text')
    .addColumn('attached_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addPrimaryKeyConstraint('incident_signals_pk', ['incident_id', 'fingerprint'])
    .execute();
  await db.schema.createIndex('incident_signals_key').on('incident_signals').columns(['org_id', 'correlation_key']).execute();
  await db.schema.createIndex('incident_signals_trace').on('incident_signals').columns(['org_id', 'trace_id']).execute();
  await db.schema.createIndex('incident_signals_svc').on('incident_signals').columns(['org_id', 'service', 'environment', 'last_seen_at']).execute();

  await db.schema
    .createTable('access_grants')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('access_grants_pk', ['org_id', 'user_id'])
    .execute();

  await autoId('id')(db.schema.createTable('outbox'))
    .addColumn('org_id', 'text', (c: any) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('payload', 'text', (c: any) => c.notNull())
    .addColumn('dedupe_key', 'text')
    .addColumn('status', 'text', (c: any) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c: any) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_pending_dedupe').unique().on('outbox').column('dedupe_key').where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_incident').on('outbox').columns(['incident_id', 'id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['outbox', 'access_grants', 'incident_signals', 'incident_actions', 'incident_timeline', 'incidents', 'incident_events']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
