import type { DB } from './schema';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface StoredResponse {
  requestHash: string;
  status: number;
  body: string;
}

/** The first response to this key within 24 h (older rows are pruned as new ones are stored). */
export async function findStoredResponse(
  db: DB,
  tokenId: string,
  key: string,
  now: Date,
): Promise<StoredResponse | undefined> {
  const since = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
  const row = await db
    .selectFrom('api_idempotency')
    .select(['request_hash', 'status', 'body'])
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return row ? { requestHash: row.request_hash, status: Number(row.status), body: row.body } : undefined;
}

/** First writer wins: a concurrent twin's insert is dropped (its command was deduplicated by the event log). */
export async function storeResponse(
  db: DB,
  r: { tokenId: string; orgId: string; key: string; requestHash: string; status: number; body: string; now: Date },
): Promise<void> {
  const since = new Date(r.now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
  await db
    .deleteFrom('api_idempotency')
    .where('token_id', '=', r.tokenId)
    .where('key', '=', r.key)
    .where('created_at', '<', since)
    .execute();
  await db
    .insertInto('api_idempotency')
    .values({
      token_id: r.tokenId,
      key: r.key,
      org_id: r.orgId,
      request_hash: r.requestHash,
      status: r.status,
      body: r.body,
      created_at: r.now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['token_id', 'key']).doNothing())
    .execute();
}

export async function pruneStoredResponses(db: DB, now: Date): Promise<void> {
  await db
    .deleteFrom('api_idempotency')
    .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString())
    .execute();
}
