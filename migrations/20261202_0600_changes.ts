import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Changes: one row per deployment (org, source, external id), its status history (the audit of every
 * delivery that moved or repeated it), and the webhook secrets that HMAC-verifying senders (GitHub) need.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('deployments')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('commit_sha', 'text')
    .addColumn('ref', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_rank', 'integer', (c) => c.notNull())
    .addColumn('status_at', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('unmapped', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deployments_pk', ['org_id', 'source', 'external_id'])
    .execute();
  // "Changes to service S in env E between t1 and t2", newest first.
  await db.schema
    .createIndex('deployments_service_env_time')
    .on('deployments')
    .columns(['org_id', 'service', 'environment', 'started_at'])
    .execute();
  await db.schema.createIndex('deployments_org_time').on('deployments').columns(['org_id', 'started_at']).execute();

  await db.schema
    .createTable('deployment_statuses')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    // created | updated | stale: what this delivery did to the deployment.
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_statuses_pk', ['org_id', 'source', 'external_id', 'status'])
    .execute();

  await db.schema
    .createTable('connector_webhook_secrets')
    .addColumn('connector_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    // The HMAC key GitHub signs with: needed to verify, so kept (as outgoing webhook secrets are).
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('connector_webhook_secrets').ifExists().execute();
  await db.schema.dropTable('deployment_statuses').ifExists().execute();
  await db.schema.dropTable('deployments').ifExists().execute();
}
