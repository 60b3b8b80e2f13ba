import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * SLOs and heartbeats: every SLO evaluation (what the health grid and budget-burned numbers read), the
 * burn alerts firing now (so a stop is noticed once), the SLOViolation read model per incident (projected
 * with the incident's events), and each heartbeat connector's interval and last ping.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('slo_evaluations')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('slo', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // healthy | at_risk | breached | unknown
    .addColumn('alert', 'text', (c) => c.notNull()) // page | ticket | none
    .addColumn('target', 'double precision', (c) => c.notNull())
    .addColumn('window_label', 'text', (c) => c.notNull()) // the SLO's window as written, e.g. 28d
    .addColumn('sli', 'double precision')
    .addColumn('budget_remaining', 'double precision')
    .addColumn('burn_rates', 'text') // JSON {"5m": 0.2, …}
    .addColumn('reason', 'text')
    .addColumn('problem', 'text')
    .addPrimaryKeyConstraint('slo_evaluations_pk', ['org_id', 'slo', 'at'])
    .execute();

  await db.schema
    .createTable('slo_alerts')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('slo', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull()) // page | ticket
    .addColumn('since', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('slo_alerts_pk', ['org_id', 'slo', 'level'])
    .execute();

  await db.schema
    .createTable('slo_violations')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('slo', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addPrimaryKeyConstraint('slo_violations_pk', ['incident_id', 'fingerprint'])
    .execute();
  await db.schema.createIndex('slo_violations_org_slo').on('slo_violations').columns(['org_id', 'slo']).execute();

  await db.schema
    .createTable('heartbeats')
    .addColumn('connector_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('interval_ms', 'integer', (c) => c.notNull())
    .addColumn('grace_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_ping_at', 'text')
    // Set while a missed heartbeat's BREACHED signal is firing: the deadline it missed.
    .addColumn('missed_since', 'text')
    .execute();
  await db.schema.createIndex('heartbeats_org').on('heartbeats').columns(['org_id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('heartbeats').ifExists().execute();
  await db.schema.dropTable('slo_violations').ifExists().execute();
  await db.schema.dropTable('slo_alerts').ifExists().execute();
  await db.schema.dropTable('slo_evaluations').ifExists().execute();
}
