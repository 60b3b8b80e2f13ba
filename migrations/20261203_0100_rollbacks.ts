import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Rollbacks: one row per rollback asked for from an incident (written with its events, in the same
 * transaction), indexed to match an arriving deployment to the rollback waiting for it; and the
 * deployments audit trail: who asked for what on which environment, and how it ended.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('rollbacks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('from_version', 'text', (c) => c.notNull())
    .addColumn('to_version', 'text', (c) => c.notNull())
    // github_workflow | deploy_hook, and the target's JSON (repository, workflow, ref / url).
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    // requested | started | completed | failed | timed_out
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createIndex('rollbacks_match')
    .on('rollbacks')
    .columns(['org_id', 'service', 'environment', 'status'])
    .execute();
  await db.schema.createIndex('rollbacks_org_time').on('rollbacks').columns(['org_id', 'requested_at']).execute();

  await db.schema
    .createTable('deployment_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    // rollback_requested | rollback_started | rollback_failed | rollback_completed | rollback_timed_out
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('from_version', 'text')
    .addColumn('to_version', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('rollback_id', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createIndex('deployment_audit_service')
    .on('deployment_audit')
    .columns(['org_id', 'service', 'environment', 'at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('deployment_audit').ifExists().execute();
  await db.schema.dropTable('rollbacks').ifExists().execute();
}
