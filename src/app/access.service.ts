import { grantRole, roleOf } from '../adapters/db/incident.queries';
import type { DB } from '../adapters/db/schema';
import type { Config } from '../config';
import { canAdminister, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { isRole, type Role, ROLES } from '../shared/roles';

/** Workspace roles: who someone is (grants, `ADMIN_USER_IDS`) and granting a role. */
export interface AccessDeps {
  db: DB;
  config: Pick<Config, 'adminUserIds'>;
  now: () => Date;
}

/** A member with no grant is a responder; `ADMIN_USER_IDS` are admins whatever the table says. */
export function resolveRole(deps: Pick<AccessDeps, 'db' | 'config'>, orgId: string, userId: string): Promise<Role> {
  return roleOf(deps.db, orgId, userId, deps.config.adminUserIds);
}

export const userActor = (userId: string, role: Role): Actor => ({ kind: 'user', id: userId, role });

/** A person acting in the workspace, with their current role. */
export async function resolveActor(
  deps: Pick<AccessDeps, 'db' | 'config'>,
  orgId: string,
  userId: string,
): Promise<Actor> {
  return userActor(userId, await resolveRole(deps, orgId, userId));
}

/** The operator at the CLI: trusted with the workspace's admin tasks. */
export const operatorActor: Actor = { kind: 'system', id: 'cli', role: 'admin' };

export interface GrantInput {
  orgId: string;
  actor: Actor;
  userId: string;
  /** As typed; checked here. */
  role: string;
}

/** Refuses a non-admin before anything is parsed (a chat command checks this first, then parses). */
export function checkCanGrant(actor: Actor): void {
  requirePermission(canAdminister(actor, 'Granting roles'));
}

export async function grantAccess(deps: AccessDeps, input: GrantInput): Promise<{ userId: string; role: Role }> {
  checkCanGrant(input.actor);
  const role = input.role.trim().toLowerCase();
  if (!isRole(role)) throw new DomainError('invalid_input', `“${input.role}” is not a role. Use ${ROLES.join(', ')}.`);
  if (!/^[UW][A-Z0-9]+$/.test(input.userId))
    throw new DomainError('invalid_input', `“${input.userId}” is not a Slack user id.`);
  await grantRole(deps.db, {
    orgId: input.orgId,
    userId: input.userId,
    role,
    grantedBy: input.actor.id,
    now: deps.now(),
  });
  return { userId: input.userId, role };
}
