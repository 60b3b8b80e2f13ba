import { randomBytes } from 'node:crypto';
import type { DB, Trx } from './schema';
import { queryOnce } from './compile-once';

export interface WebhookSubscription {
  id: string;
  orgId: string;
  url: string;
  events: string[];
  createdBy: string;
  createdAt: string;
  removedAt: string | null;
  removedReason: string | null;
  /** Opened by an admin to private incidents' events too (`--include-private`); others never get them. */
  includePrivate: boolean;
}

type Row = {
  id: string;
  org_id: string;
  url: string;
  events: string;
  created_by: string;
  created_at: string;
  removed_at: string | null;
  removed_reason: string | null;
  include_private: number;
};
const COLUMNS = [
  'id',
  'org_id',
  'url',
  'events',
  'created_by',
  'created_at',
  'removed_at',
  'removed_reason',
  'include_private',
] as const;
const toSub = (r: Row): WebhookSubscription => ({
  id: r.id,
  orgId: r.org_id,
  url: r.url,
  events: JSON.parse(r.events) as string[],
  createdBy: r.created_by,
  createdAt: r.created_at,
  removedAt: r.removed_at,
  removedReason: r.removed_reason,
  includePrivate: Number(r.include_private) === 1,
});

/** Returns the signing secret once (it is kept, since signing needs it, but never shown again). */
export async function insertSubscription(
  db: DB,
  s: { orgId: string; url: string; events: string[]; createdBy: string; now: Date; includePrivate?: boolean },
) {
  const id = `whk_${randomBytes(9).toString('base64url')}`;
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const row = {
    id,
    org_id: s.orgId,
    url: s.url,
    events: JSON.stringify(s.events),
    secret,
    created_by: s.createdBy,
    created_at: s.now.toISOString(),
    removed_at: null,
    removed_reason: null,
    include_private: s.includePrivate ? 1 : 0,
  };
  await db.insertInto('webhook_subscriptions').values(row).execute();
  return { subscription: toSub(row), secret };
}

export async function listSubscriptions(
  db: DB | Trx,
  orgId: string,
  activeOnly = false,
): Promise<WebhookSubscription[]> {
  let q = db.selectFrom('webhook_subscriptions').select(COLUMNS).where('org_id', '=', orgId);
  if (activeOnly) q = q.where('removed_at', 'is', null);
  return (await q.orderBy('created_at').orderBy('id').execute()).map(toSub);
}

export async function hasActiveSubscriptions(db: DB | Trx, orgId: string): Promise<boolean> {
  const rows = await queryOnce(db, 'active-subscriptions', [orgId, 1], () =>
    db
      .selectFrom('webhook_subscriptions')
      .select('id')
      .where('org_id', '=', orgId)
      .where('removed_at', 'is', null)
      .limit(1),
  );
  return rows.length > 0;
}

export async function findSubscriptionWithSecret(db: DB, orgId: string, id: string) {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .select([...COLUMNS, 'secret'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { ...toSub(row), secret: row.secret } : undefined;
}

export async function removeSubscription(
  db: DB,
  orgId: string,
  id: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const res = await db
    .updateTable('webhook_subscriptions')
    .set({ removed_at: now.toISOString(), removed_reason: reason })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export const ATTEMPTS_KEPT = 100;

export async function recordAttempt(
  db: DB,
  a: {
    orgId: string;
    subscriptionId: string;
    deliveryId: string;
    eventType: string;
    incidentId: string | null;
    responseStatus: number | null;
    ok: boolean;
    durationMs: number;
    error: string | null;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({
      org_id: a.orgId,
      subscription_id: a.subscriptionId,
      delivery_id: a.deliveryId,
      event_type: a.eventType,
      incident_id: a.incidentId,
      response_status: a.responseStatus,
      ok: a.ok ? 1 : 0,
      duration_ms: Math.round(a.durationMs),
      error: a.error,
      attempted_at: a.now.toISOString(),
    })
    .execute();
  // The log is the last 100 attempts per subscription.
  const keep = await db
    .selectFrom('webhook_attempts')
    .select('id')
    .where('subscription_id', '=', a.subscriptionId)
    .orderBy('id', 'desc')
    .offset(ATTEMPTS_KEPT)
    .limit(1)
    .executeTakeFirst();
  if (keep)
    await db
      .deleteFrom('webhook_attempts')
      .where('subscription_id', '=', a.subscriptionId)
      .where('id', '<=', Number(keep.id))
      .execute();
}

export async function attemptsOf(db: DB, orgId: string, subscriptionId: string) {
  const rows = await db
    .selectFrom('webhook_attempts')
    .select([
      'delivery_id',
      'event_type',
      'incident_id',
      'response_status',
      'ok',
      'duration_ms',
      'error',
      'attempted_at',
    ])
    .where('org_id', '=', orgId)
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id', 'desc')
    .limit(ATTEMPTS_KEPT)
    .execute();
  return rows.map((r) => ({
    deliveryId: r.delivery_id,
    eventType: r.event_type,
    incidentId: r.incident_id,
    responseStatus: r.response_status === null ? null : Number(r.response_status),
    ok: Number(r.ok) === 1,
    durationMs: Number(r.duration_ms),
    error: r.error,
    attemptedAt: r.attempted_at,
  }));
}

/** Compare-and-set of the fan-out position: false when another fan-out moved it first. */
export async function advanceCursor(
  trx: Trx,
  orgId: string,
  incidentId: string,
  from: number,
  to: number,
): Promise<boolean> {
  if (from === 0) {
    const res = await trx
      .insertInto('webhook_cursors')
      .values({ org_id: orgId, incident_id: incidentId, seq: to })
      .onConflict((oc) => oc.columns(['org_id', 'incident_id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const res = await trx
    .updateTable('webhook_cursors')
    .set({ seq: to })
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .where('seq', '=', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function cursorOf(db: DB | Trx, orgId: string, incidentId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_cursors')
    .select('seq')
    .where('org_id', '=', orgId)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  return row ? Number(row.seq) : 0;
}
