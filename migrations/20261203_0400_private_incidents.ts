import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Private incidents: `incidents.visibility` (projected from INCIDENT_CREATED / INCIDENT_MADE_PRIVATE) and the
 * members of private incidents, so lists and searches filter in SQL; a connector that only declares private
 * incidents; outgoing webhook subscriptions that an admin opened to private incidents.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public'))
    .execute();
  await db.schema
    .createTable('incident_members')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_members_pk', ['incident_id', 'user_id'])
    .execute();
  await db.schema.createIndex('incident_members_user').on('incident_members').columns(['org_id', 'user_id']).execute();
  await db.schema
    .alterTable('connectors')
    .addColumn('private_only', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('webhook_subscriptions')
    .addColumn('include_private', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('webhook_subscriptions').dropColumn('include_private').execute();
  await db.schema.alterTable('connectors').dropColumn('private_only').execute();
  await db.schema.dropTable('incident_members').ifExists().execute();
  await db.schema.alterTable('incidents').dropColumn('visibility').execute();
}
