import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../shared/domain-error';
import { CONNECTOR_KINDS, type ConnectorKind, isConnectorKind } from '../../signals/normalisers';
import { CHANGE_CONNECTOR_KINDS, isChangeConnectorKind } from '../../changes/change.types';
import { HEARTBEAT_KIND } from '../../slos/heartbeat.policy';
import { isUniqueViolation } from './create-db';
import type { DB } from './schema';
import type { CompiledQuery } from 'kysely';

export interface Connector {
  id: string;
  orgId: string;
  kind: ConnectorKind;
  name: string;
  createdBy: string;
  createdAt: string;
  revokedAt?: string;
}

export interface NewConnector {
  orgId: string;
  kind: string;
  name?: string;
  createdBy: string;
  now: Date;
  /** Slack trigger id or similar: a retry of the same request is refused instead of creating a second connector. */
  requestKey?: string;
}

const MAX_NAME = 80;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time: does `token` hash to `tokenHash`? */
export function tokenMatches(token: string, tokenHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(tokenHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** The webhook URL senders post to. */
export const webhookUrl = (publicUrl: string, connectorId: string): string => `${publicUrl.replace(/\/$/, '')}/connectors/${connectorId}/webhook`;

/** A connector and its token. The token is returned once, here; only its sha256 is stored. */
export async function createConnector(db: DB, c: NewConnector): Promise<{ id: string; token: string }> {
  const kind = c.kind.trim().toLowerCase();
  if (!isConnectorKind(kind) && !isChangeConnectorKind(kind) && kind !== HEARTBEAT_KIND) throw new DomainError('invalid_input', `“${c.kind}” is not a connector kind. Use one of: ${[...CONNECTOR_KINDS, ...CHANGE_CONNECTOR_KINDS, HEARTBEAT_KIND].join(', ')}.`);
  const name = (c.name ?? '').replace(/\s+/g, ' ').trim() || kind;
  if (name.length > MAX_NAME) throw new DomainError('invalid_input', `The connector name is ${name.length} characters; the limit is ${MAX_NAME}.`);
  const id = `con_${randomBytes(9).toString('base64url')}`;
  const token = `rvn_${randomBytes(32).toString('base64url')}`;
  try {
    await db
      .insertInto('connectors')
      .values({
        id,
        org_id: c.orgId,
        kind,
        name,
        token_hash: hashToken(token),
        created_by: c.createdBy,
        created_at: c.now.toISOString(),
        revoked_at: null,
        request_key: c.requestKey ?? null,
      })
      .execute();
  } catch (e) {
    if (c.requestKey && isUniqueViolation(e)) {
      throw new DomainError('already_exists', 'This request already created a connector (its token was shown once, in the first reply). Run the command again to create another.');
    }
    throw e;
  }
  return { id, token };
}

type Row = { id: string; org_id: string; kind: string; name: string; created_by: string; created_at: string; revoked_at: string | null };

function toConnector(r: Row): Connector {
  return {
    id: r.id,
    orgId: r.org_id,
    kind: (isConnectorKind(r.kind) ? r.kind : 'generic') as ConnectorKind,
    name: r.name,
    createdBy: r.created_by,
    createdAt: r.created_at,
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
  };
}

const COLUMNS = ['id', 'org_id', 'kind', 'name', 'created_by', 'created_at', 'revoked_at'] as const;

/** For listing: the kind as stored (a change kind such as `github` is not coerced to an alert kind). */
export async function listConnectors(db: DB, orgId: string): Promise<Array<Omit<Connector, 'kind'> & { kind: string }>> {
  const rows = await db.selectFrom('connectors').select(COLUMNS).where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ ...toConnector(r), kind: r.kind }));
}

/** By id alone (the webhook URL carries no org); the caller checks the token. Includes the hash for that. */
export async function findConnector(db: DB, id: string): Promise<(Connector & { tokenHash: string }) | undefined> {
  const row = await db.selectFrom('connectors').select([...COLUMNS, 'token_hash']).where('id', '=', id).executeTakeFirst();
  return row ? { ...toConnector(row), tokenHash: row.token_hash } : undefined;
}

export async function revokeConnector(db: DB, orgId: string, id: string, now: Date): Promise<boolean> {
  const res = await db.updateTable('connectors').set({ revoked_at: now.toISOString() }).where('org_id', '=', orgId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  connectorsChanged();
  return Number(res.numUpdatedRows) === 1;
}

/** Everything a webhook needs to know about its connector, whatever its kind: one read per request. */
export interface ConnectorForWebhook {
  id: string;
  orgId: string;
  /** As stored (an alert, change or heartbeat kind). */
  kind: string;
  tokenHash: string;
  revokedAt?: string;
  privateOnly: boolean;
  /** HMAC senders' secret (change connectors). */
  webhookSecret?: string;
  heartbeat: boolean;
}

const webhookConnectorQuery = (db: DB, id: string) =>
  db
    .selectFrom('connectors as c')
    .leftJoin('connector_webhook_secrets as s', 's.connector_id', 'c.id')
    .leftJoin('heartbeats as h', 'h.connector_id', 'c.id')
    .select(['c.id', 'c.org_id', 'c.kind', 'c.token_hash', 'c.revoked_at', 'c.private_only', 's.secret', 'h.connector_id as beat'])
    .where('c.id', '=', id)
    .compile();
/** Compiled once per database: it runs on every webhook request, and building it cost more than running it. */
type WebhookConnectorRow = ReturnType<typeof webhookConnectorQuery> extends CompiledQuery<infer R> ? R : never;
const compiledWebhookQuery = new WeakMap<DB, ReturnType<typeof webhookConnectorQuery>>();

/**
 * Webhook connectors as read, kept for a second per database: on Postgres the read was the whole cost of a
 * repeated delivery. Writes made by this process (revoke, private-only, a secret, a heartbeat) clear it at
 * once; one made elsewhere (another replica, the CLI) is seen within WEBHOOK_CONNECTOR_TTL_MS.
 */
export const WEBHOOK_CONNECTOR_TTL_MS = 1000;
const WEBHOOK_CONNECTOR_CACHE_MAX = 1000;
let connectorsGeneration = 0;
const webhookConnectors = new WeakMap<DB, Map<string, { at: number; generation: number; value: ConnectorForWebhook }>>();

/** A connector (or what it joins: secret, heartbeat) changed: the next webhook reads it again. */
export function connectorsChanged(): void {
  connectorsGeneration++;
}

export async function findConnectorForWebhook(db: DB, id: string): Promise<ConnectorForWebhook | undefined> {
  let cache = webhookConnectors.get(db);
  if (!cache) webhookConnectors.set(db, (cache = new Map()));
  const hit = cache.get(id);
  const now = performance.now();
  if (hit && hit.generation === connectorsGeneration && now - hit.at < WEBHOOK_CONNECTOR_TTL_MS) return hit.value;
  const generation = connectorsGeneration;
  const value = await readConnectorForWebhook(db, id);
  if (!value) return undefined; // unknown ids are not kept: a connector created meanwhile is found at once
  if (cache.size >= WEBHOOK_CONNECTOR_CACHE_MAX) cache.clear();
  cache.set(id, { at: now, generation, value });
  return value;
}

async function readConnectorForWebhook(db: DB, id: string): Promise<ConnectorForWebhook | undefined> {
  let query = compiledWebhookQuery.get(db);
  if (!query) compiledWebhookQuery.set(db, (query = webhookConnectorQuery(db, '')));
  const r = (await db.executeQuery<WebhookConnectorRow>({ ...query, parameters: [id] })).rows[0];
  if (!r) return undefined;
  return {
    id: r.id,
    orgId: r.org_id,
    kind: r.kind,
    tokenHash: r.token_hash,
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
    privateOnly: Number(r.private_only) === 1,
    ...(r.secret ? { webhookSecret: r.secret } : {}),
    heartbeat: r.beat != null,
  };
}
