import { type Kysely, PostgresAdapter } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * REST API: tokens (sha256 only), stored first responses for Idempotency-Key, outgoing webhook
 * subscriptions and their delivery log.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull()) // the token itself is shown once and never stored
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  // The actor in the event log is `token:<name>`: names stay unique per org, even after revocation.
  await db.schema.createIndex('api_tokens_name').unique().on('api_tokens').columns(['org_id', 'name']).execute();
  await db.schema.createIndex('api_tokens_hash').unique().on('api_tokens').column('token_hash').execute();

  await db.schema
    .createTable('api_idempotency')
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull()) // sha256 of method, path and body
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_idempotency_pk', ['token_id', 'key'])
    .execute();
  await db.schema.createIndex('api_idempotency_age').on('api_idempotency').column('created_at').execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull()) // JSON array of patterns, e.g. ["incident.*"]
    .addColumn('secret', 'text', (c) => c.notNull()) // HMAC key: needed to sign, so kept (shown once)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addColumn('removed_reason', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_org')
    .on('webhook_subscriptions')
    .columns(['org_id', 'created_at'])
    .execute();

  // How far each incident's events have been fanned out to subscribers (the fan-out is re-runnable).
  await db.schema
    .createTable('webhook_cursors')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_cursors_pk', ['org_id', 'incident_id'])
    .execute();

  const attempts = db.schema.createTable('webhook_attempts');
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await (
    pg
      ? attempts.addColumn('id', 'bigserial', (c) => c.primaryKey())
      : attempts.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
  )
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_attempts_sub')
    .on('webhook_attempts')
    .columns(['subscription_id', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_attempts_delivery')
    .on('webhook_attempts')
    .columns(['delivery_id', 'ok'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('webhook_attempts').ifExists().execute();
  await db.schema.dropTable('webhook_cursors').ifExists().execute();
  await db.schema.dropTable('webhook_subscriptions').ifExists().execute();
  await db.schema.dropTable('api_idempotency').ifExists().execute();
  await db.schema.dropTable('api_tokens').ifExists().execute();
}
