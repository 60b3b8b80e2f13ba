import { connectorsChanged } from './connector.repo';
import { sql } from 'kysely';
import type { EnvironmentVersion, FoldOutcome } from '../../changes/change.fold';
import { type ChangeEvent, type ChangeStatus, STATUS_RANK } from '../../changes/change.types';
import type { DeploymentsTable } from './changes.tables';
import type { DB } from './schema';
import type { ConnectorForWebhook } from './connector.repo';

/** A stored deployment as the services and builders see it. */
export interface StoredChange extends ChangeEvent {
  unmapped: boolean;
  connectorId: string;
}

export interface ChangeFilter {
  service?: string;
  environment?: string;
  status?: ChangeStatus;
  /** started_at >= since */
  since?: string;
  /** started_at <= until */
  until?: string;
  limit: number;
}

const toChange = (r: DeploymentsTable): StoredChange => ({
  service: r.service,
  environment: r.environment,
  version: r.version,
  ...(r.commit_sha ? { commitSha: r.commit_sha } : {}),
  ...(r.ref ? { ref: r.ref } : {}),
  status: r.status as ChangeStatus,
  url: r.url,
  actor: r.actor,
  startedAt: r.started_at,
  ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
  statusAt: r.status_at,
  source: r.source,
  externalId: r.external_id,
  unmapped: r.unmapped === 1,
  connectorId: r.connector_id,
});

export interface RecordChangeInput {
  orgId: string;
  connectorId: string;
  event: ChangeEvent;
  unmapped: boolean;
  now: Date;
}

/**
 * One delivery, folded into the store in one transaction: a status already recorded for this
 * deployment is a repeat (nothing changes); an older one is kept in the history only. The update is
 * conditional on time, so concurrent deliveries of one deployment converge on the latest.
 */
export async function recordChange(db: DB, input: RecordChangeInput): Promise<FoldOutcome> {
  const { orgId, connectorId, event: e } = input;
  const now = input.now.toISOString();
  const rank = STATUS_RANK[e.status];
  return db.transaction().execute(async (trx) => {
    const status = await trx
      .insertInto('deployment_statuses')
      .values({
        org_id: orgId,
        source: e.source,
        external_id: e.externalId,
        status: e.status,
        status_at: e.statusAt,
        actor: e.actor,
        connector_id: connectorId,
        outcome: 'created',
        received_at: now,
      })
      .onConflict((oc) => oc.columns(['org_id', 'source', 'external_id', 'status']).doNothing())
      .executeTakeFirst();
    if (Number(status.numInsertedOrUpdatedRows ?? 0n) === 0) return 'duplicate';

    const row = {
      connector_id: connectorId,
      service: e.service,
      environment: e.environment,
      version: e.version,
      commit_sha: e.commitSha ?? null,
      ref: e.ref ?? null,
      status: e.status,
      status_rank: rank,
      status_at: e.statusAt,
      url: e.url,
      actor: e.actor,
      finished_at: e.finishedAt ?? null,
      updated_at: now,
    };
    const inserted = await trx
      .insertInto('deployments')
      .values({
        ...row,
        org_id: orgId,
        source: e.source,
        external_id: e.externalId,
        started_at: e.startedAt,
        unmapped: input.unmapped ? 1 : 0,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['org_id', 'source', 'external_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return 'created';

    const key = (q: ReturnType<typeof trx.updateTable<'deployments'>>) =>
      q.where('org_id', '=', orgId).where('source', '=', e.source).where('external_id', '=', e.externalId);
    // The earliest start any status reported stands (GitLab and Argo report only per-status times).
    await key(trx.updateTable('deployments').set({ started_at: e.startedAt }))
      .where('started_at', '>', e.startedAt)
      .execute();
    const updated = await key(trx.updateTable('deployments').set(row))
      .where((eb) =>
        eb.or([
          eb('status_at', '<', e.statusAt),
          eb.and([eb('status_at', '=', e.statusAt), eb('status_rank', '<', rank)]),
        ]),
      )
      .executeTakeFirst();
    const outcome: FoldOutcome = Number(updated.numUpdatedRows) === 1 ? 'updated' : 'stale';
    await trx
      .updateTable('deployment_statuses')
      .set({ outcome })
      .where('org_id', '=', orgId)
      .where('source', '=', e.source)
      .where('external_id', '=', e.externalId)
      .where('status', '=', e.status)
      .execute();
    return outcome;
  });
}

/** Newest first by start. */
export async function listChanges(db: DB, orgId: string, f: ChangeFilter): Promise<StoredChange[]> {
  let q = db.selectFrom('deployments').selectAll().where('org_id', '=', orgId);
  if (f.service) q = q.where('service', '=', f.service);
  if (f.environment) q = q.where('environment', '=', f.environment);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.since) q = q.where('started_at', '>=', f.since);
  if (f.until) q = q.where('started_at', '<=', f.until);
  const rows = await q.orderBy('started_at', 'desc').orderBy('external_id', 'desc').limit(f.limit).execute();
  return rows.map(toChange);
}

type Ranked = DeploymentsTable & { rn: number };

/** Per (service, environment): the last successful deployment, and the latest of any status when it differs. */
export async function currentEnvironments(db: DB, orgId: string, service?: string): Promise<EnvironmentVersion[]> {
  const byService = service ? sql`and service = ${service}` : sql``;
  const ranked = (where: ReturnType<typeof sql>, order: ReturnType<typeof sql>) =>
    sql<Ranked>`select * from (select d.*, row_number() over (partition by service, environment order by ${order}) as rn
      from deployments d where org_id = ${orgId} ${byService} ${where}) ranked where rn = 1`.execute(db);
  const [best, latest] = await Promise.all([
    ranked(sql`and status = 'success'`, sql`coalesce(finished_at, status_at) desc, external_id desc`),
    ranked(sql``, sql`started_at desc, external_id desc`),
  ]);
  const latestBy = new Map(latest.rows.map((r) => [`${r.service}\u001f${r.environment}`, r]));
  return best.rows
    .map((r): EnvironmentVersion => {
      const l = latestBy.get(`${r.service}\u001f${r.environment}`);
      const behind = l && (l.external_id !== r.external_id || l.source !== r.source);
      return {
        service: r.service,
        environment: r.environment,
        version: r.version,
        deployedAt: r.finished_at ?? r.status_at,
        externalId: r.external_id,
        source: r.source,
        url: r.url,
        actor: r.actor,
        ...(behind ? { latest: { version: l.version, status: l.status as ChangeStatus, at: l.status_at } } : {}),
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.environment.localeCompare(b.environment));
}

/** The statuses a deployment went through, in the order they took effect. */
export async function deploymentHistory(db: DB, orgId: string, source: string, externalId: string) {
  return db
    .selectFrom('deployment_statuses')
    .select(['status', 'status_at', 'actor', 'outcome', 'received_at', 'connector_id'])
    .where('org_id', '=', orgId)
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .orderBy('status_at')
    .orderBy('received_at')
    .execute();
}

/** Known = an incident or a firing alert of the org has named the service. */
export async function isKnownService(db: DB, orgId: string, service: string): Promise<boolean> {
  const inc = await db
    .selectFrom('incidents')
    .select('id')
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .limit(1)
    .executeTakeFirst();
  if (inc) return true;
  const sig = await db
    .selectFrom('firing_signals')
    .select('service')
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .limit(1)
    .executeTakeFirst();
  return !!sig;
}

/** What change ingestion needs of its connector (read once per webhook request, `findConnectorForWebhook`). */
export type ChangeConnectorRow = Pick<ConnectorForWebhook, 'id' | 'orgId' | 'kind' | 'tokenHash' | 'revokedAt' | 'webhookSecret'>;

/**
 * GitHub signs with a shared secret the receiver must hold: for a `github` connector the token
 * (shown once) is that secret, so it is kept here; other kinds store nothing.
 */
export async function rememberWebhookSecret(
  db: DB,
  c: { id: string; orgId: string; kind: string; token: string; now: Date },
): Promise<void> {
  if (c.kind.trim().toLowerCase() !== 'github') return;
  await db
    .insertInto('connector_webhook_secrets')
    .values({ connector_id: c.id, org_id: c.orgId, secret: c.token, created_at: c.now.toISOString() })
    .onConflict((oc) => oc.column('connector_id').doNothing())
    .execute();
  connectorsChanged();
}
