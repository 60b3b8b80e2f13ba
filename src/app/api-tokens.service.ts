import {
  type ApiToken,
  findApiTokenBySecret,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  touchApiToken,
} from '../adapters/db/api-token.repo';
import type { DB } from '../adapters/db/schema';
import { canAdminister, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { isRole, ROLES } from '../shared/roles';

export type { ApiToken };

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_EXPIRY_DAYS = 3650;

/** `90d`, `12h`, `30m`, `1y`, or `never`: the moment a token stops working. */
export function parseExpiry(text: string | undefined, now: Date): Date | undefined {
  if (!text || text === 'never') return undefined;
  const m = /^(\d{1,5})([mhdy])$/.exec(text.trim());
  if (!m) throw new DomainError('invalid_input', `“${text}” is not an expiry; use e.g. 90d, 12h, 30m or 1y.`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 }[m[2] as 'm' | 'h' | 'd' | 'y'];
  const ms = Number(m[1]) * unit;
  if (ms <= 0 || ms > MAX_EXPIRY_DAYS * 86_400_000)
    throw new DomainError('invalid_input', `An expiry must be between 1 minute and ${MAX_EXPIRY_DAYS} days.`);
  return new Date(now.getTime() + ms);
}

export interface CreateTokenInput {
  orgId: string;
  role: string;
  name: string;
  expires?: string;
  /** Who issued it: a Slack user id or `cli`. */
  createdBy: string;
  now: Date;
}

/** Issue a token; the secret is in the result and nowhere else. */
export async function createApiToken(db: DB, input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
  const role = input.role.trim().toLowerCase();
  if (!isRole(role))
    throw new DomainError('invalid_input', `“${input.role}” is not a role. Use one of: ${ROLES.join(', ')}.`);
  const name = input.name.trim().toLowerCase();
  if (!NAME.test(name))
    throw new DomainError(
      'invalid_input',
      'A token name is 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.',
    );
  const created = await insertApiToken(db, {
    orgId: input.orgId,
    name,
    role,
    createdBy: input.createdBy,
    now: input.now,
    expiresAt: parseExpiry(input.expires, input.now),
  });
  if (!created)
    throw new DomainError(
      'already_exists',
      `This workspace already has a token named “${name}” (names are never reused: the event log names the token).`,
    );
  return created;
}

export const listTokens = listApiTokens;

export async function revokeToken(db: DB, orgId: string, idOrName: string, now: Date): Promise<ApiToken> {
  const t = await revokeApiToken(db, orgId, idOrName.trim(), now);
  if (!t) throw new DomainError('not_found', `No active token “${idOrName}” in this workspace.`);
  return t;
}

export type TokenCheck =
  { ok: true; token: ApiToken } | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; detail: string };

/** Who presents this secret, if anyone may still use it. */
const LAST_USED_PRECISION_MS = 60_000;

export async function authenticateToken(db: DB, secret: string, now: Date): Promise<TokenCheck> {
  const token = await findApiTokenBySecret(db, secret);
  if (!token) return { ok: false, reason: 'unknown', detail: 'The bearer token is not a Revenant API token.' };
  if (token.revokedAt) return { ok: false, reason: 'revoked', detail: `This token was revoked at ${token.revokedAt}.` };
  if (token.expiresAt && token.expiresAt <= now.toISOString())
    return { ok: false, reason: 'expired', detail: `This token expired at ${token.expiresAt}.` };
  // "Last used" to the minute: a write per request would put every API read behind the database's writer.
  const last = token.lastUsedAt ? Date.parse(token.lastUsedAt) : Number.NaN;
  if (!(now.getTime() - last < LAST_USED_PRECISION_MS)) await touchApiToken(db, token.id, now);
  return { ok: true, token };
}

/** The actor commands carry: the token acts with its role, and the log names it. */
export const tokenActor = (t: Pick<ApiToken, 'name' | 'role'>): Actor => ({
  kind: 'user',
  id: `token:${t.name}`,
  role: t.role,
});

/** Issuing and revoking tokens is workspace administration (the CLI operator is trusted as such). */
export const checkCanManageTokens = (actor: Actor) => requirePermission(canAdminister(actor, 'Managing API tokens'));
