import { connectorsChanged } from './connector.repo';
import type { HeartbeatState } from '../../slos/heartbeat.policy';
import type { DB } from './schema';

/** Heartbeat connectors' intervals, last pings and missed state. */

type Row = {
  connector_id: string;
  org_id: string;
  name: string;
  interval_ms: number;
  grace_ms: number;
  created_at: string;
  last_ping_at: string | null;
  missed_since: string | null;
};

const toState = (r: Row): HeartbeatState => ({
  connectorId: r.connector_id,
  orgId: r.org_id,
  name: r.name,
  intervalMs: Number(r.interval_ms),
  graceMs: Number(r.grace_ms),
  createdAt: r.created_at,
  ...(r.last_ping_at ? { lastPingAt: r.last_ping_at } : {}),
  ...(r.missed_since ? { missedSince: r.missed_since } : {}),
});

export async function insertHeartbeat(db: DB, h: Omit<HeartbeatState, 'lastPingAt' | 'missedSince'>): Promise<void> {
  await db
    .insertInto('heartbeats')
    .values({
      connector_id: h.connectorId,
      org_id: h.orgId,
      name: h.name,
      interval_ms: h.intervalMs,
      grace_ms: h.graceMs,
      created_at: h.createdAt,
      last_ping_at: null,
      missed_since: null,
    })
    .execute();
  connectorsChanged(); // the webhook route reads "is a heartbeat" with the connector
}

export async function findHeartbeat(db: DB, connectorId: string): Promise<HeartbeatState | undefined> {
  const r = await db.selectFrom('heartbeats').selectAll().where('connector_id', '=', connectorId).executeTakeFirst();
  return r ? toState(r) : undefined;
}

/** Heartbeats of live (not revoked) connectors, across workspaces or of one. */
export async function listHeartbeats(db: DB, orgId?: string): Promise<HeartbeatState[]> {
  let q = db
    .selectFrom('heartbeats as h')
    .innerJoin('connectors as c', 'c.id', 'h.connector_id')
    .selectAll('h')
    .where('c.revoked_at', 'is', null);
  if (orgId) q = q.where('h.org_id', '=', orgId);
  return (await q.orderBy('h.name').execute()).map(toState);
}

export async function recordPing(db: DB, connectorId: string, at: string): Promise<void> {
  await db.updateTable('heartbeats').set({ last_ping_at: at }).where('connector_id', '=', connectorId).execute();
}

/**
 * Set or clear the missed mark if it still is `expect`; marking also needs the last ping unchanged since the
 * check read it (`lastPingAt`), so a ping that arrived meanwhile is noticed. True when this call changed it.
 */
export async function markMissed(
  db: DB,
  connectorId: string,
  since: string | null,
  expect: string | null,
  lastPingAt?: string | null,
): Promise<boolean> {
  let q = db.updateTable('heartbeats').set({ missed_since: since }).where('connector_id', '=', connectorId);
  q = expect === null ? q.where('missed_since', 'is', null) : q.where('missed_since', '=', expect);
  if (lastPingAt !== undefined)
    q = lastPingAt === null ? q.where('last_ping_at', 'is', null) : q.where('last_ping_at', '=', lastPingAt);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
