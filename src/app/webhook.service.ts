import {
  attemptsOf,
  insertSubscription,
  listSubscriptions,
  removeSubscription,
  type WebhookSubscription,
} from '../adapters/db/webhook.repo';
import type { DB } from '../adapters/db/schema';
import { canAdminister, requirePermission } from '../incidents/incident.permissions';
import type { Actor, IncidentEventType } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';

export type { WebhookSubscription };

/** `INCIDENT_CREATED` → `incident.created`, `STATUS_CHANGED` → `incident.status_changed`. */
export const webhookEventType = (t: IncidentEventType | string): string =>
  `incident.${t === 'INCIDENT_CREATED' ? 'created' : t.toLowerCase()}`;

/** `*`, `incident.*` or an exact type. */
export const matchesPattern = (pattern: string, type: string): boolean =>
  pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1)));

const PATTERN = /^(\*|incident\.(\*|[a-z_]{1,40}))$/;

export const checkCanManageWebhooks = (actor: Actor) => requirePermission(canAdminister(actor, 'Managing webhooks'));

export async function addWebhook(
  db: DB,
  input: { orgId: string; url: string; events: string; createdBy: string; now: Date; includePrivate?: boolean },
) {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new DomainError('invalid_input', `“${input.url}” is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new DomainError('invalid_input', 'A webhook URL must be http(s).');
  const events = input.events
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = events.filter((e) => !PATTERN.test(e));
  if (events.length === 0 || bad.length)
    throw new DomainError(
      'invalid_input',
      `Events are patterns such as incident.* or incident.status_changed${bad.length ? `; not: ${bad.join(', ')}` : ''}.`,
    );
  return insertSubscription(db, {
    orgId: input.orgId,
    url: url.toString(),
    events,
    createdBy: input.createdBy,
    now: input.now,
    includePrivate: input.includePrivate === true,
  });
}

export const listWebhooks = (db: DB, orgId: string) => listSubscriptions(db, orgId);

export async function removeWebhook(db: DB, orgId: string, id: string, now: Date): Promise<void> {
  if (!(await removeSubscription(db, orgId, id, 'removed', now)))
    throw new DomainError('not_found', `No active webhook “${id}” in this workspace.`);
}

export async function webhookLog(db: DB, orgId: string, id: string) {
  const subs = await listSubscriptions(db, orgId);
  if (!subs.some((s) => s.id === id)) throw new DomainError('not_found', `No webhook “${id}” in this workspace.`);
  return attemptsOf(db, orgId, id);
}
