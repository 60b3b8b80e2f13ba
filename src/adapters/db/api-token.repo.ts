import { randomBytes } from 'node:crypto';
import { isRole, type Role } from '../../shared/roles';
import { hashToken, tokenMatches } from './connector.repo';
import { isUniqueViolation } from './create-db';
import type { DB } from './schema';

export interface ApiToken {
  id: string;
  orgId: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

type Row = {
  id: string;
  org_id: string;
  name: string;
  role: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
};
const COLUMNS = [
  'id',
  'org_id',
  'name',
  'role',
  'created_by',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
] as const;

const toToken = (r: Row): ApiToken => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  // A role renamed away since issuance falls to the least power, never more.
  role: isRole(r.role) ? r.role : 'viewer',
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export interface NewApiToken {
  orgId: string;
  name: string;
  role: Role;
  createdBy: string;
  now: Date;
  expiresAt?: Date;
}

/** Returns the token once; only its sha256 is stored. `undefined` when the name is taken in this org. */
export async function insertApiToken(db: DB, t: NewApiToken): Promise<{ token: ApiToken; secret: string } | undefined> {
  const id = `tok_${randomBytes(9).toString('base64url')}`;
  const secret = `rvt_${randomBytes(32).toString('base64url')}`;
  const row = {
    id,
    org_id: t.orgId,
    name: t.name,
    role: t.role,
    token_hash: hashToken(secret),
    created_by: t.createdBy,
    created_at: t.now.toISOString(),
    expires_at: t.expiresAt?.toISOString() ?? null,
    revoked_at: null,
    last_used_at: null,
  };
  try {
    await db.insertInto('api_tokens').values(row).execute();
  } catch (e) {
    if (isUniqueViolation(e)) return undefined;
    throw e;
  }
  return { token: toToken(row), secret };
}

export async function listApiTokens(db: DB, orgId: string): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toToken);
}

/** The token a secret belongs to (any state: the caller explains expired / revoked). */
export async function findApiTokenBySecret(db: DB, secret: string): Promise<ApiToken | undefined> {
  const hash = hashToken(secret);
  const row = await db
    .selectFrom('api_tokens')
    .select([...COLUMNS, 'token_hash'])
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  // Looked up by its hash; compared once more in constant time, as connector tokens are.
  if (!row || !tokenMatches(secret, row.token_hash)) return undefined;
  return toToken(row);
}

/** By id or by name. */
export async function revokeApiToken(
  db: DB,
  orgId: string,
  idOrName: string,
  now: Date,
): Promise<ApiToken | undefined> {
  const res = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return undefined;
  const row = await db
    .selectFrom('api_tokens')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  return row ? toToken(row) : undefined;
}

/** Last-used time, written at most once a minute per token (reads must not each cost a write). */
export async function touchApiToken(db: DB, id: string, now: Date): Promise<void> {
  const iso = now.toISOString();
  const stale = new Date(now.getTime() - 60_000).toISOString();
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: iso })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', stale)]))
    .execute();
}
