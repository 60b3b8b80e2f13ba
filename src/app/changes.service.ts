import {
  type ChangeConnectorRow,
  type StoredChange,
  currentEnvironments,
  isKnownService,
  listChanges,
  recordChange,
} from '../adapters/db/changes.repo';
import { tokenMatches } from '../adapters/db/connector.repo';
import type { DB } from '../adapters/db/schema';
import type { EnvironmentVersion } from '../changes/change.fold';
import {
  CHANGE_STATUSES,
  type ChangeEvent,
  type ChangeStatus,
  isChangeConnectorKind,
  isTerminal,
} from '../changes/change.types';
import { normaliseChange } from '../changes/normalisers';
import { canRecordChanges, canView, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { parseTime } from '../signals/normalisers/normaliser.helpers';
import type { MappingSource } from '../changes/change.mapping';
import { followDeployments, type RollbackDeps } from './rollback.service';

/** Checks GitHub's `X-Hub-Signature-256` (implemented with @octokit/webhooks in the HTTP adapter). */
export type GithubSignatureVerifier = (secret: string, payload: string, signature: string) => Promise<boolean>;

export interface ChangesDeps {
  db: DB;
  now: () => Date;
  verifyGithubSignature: GithubSignatureVerifier;
  /** Workflow names / file names (globs) whose completed runs are deployments. */
  deployWorkflows?: readonly string[];
  /** CHANGES_MAPPING_PATH: repositories → services, environment aliases, deploy workflows. */
  mapping?: MappingSource;
  /** Settles rollbacks waiting for a deployment and re-renders open incidents' summaries (rollback.service.ts). */
  rollback?: RollbackDeps;
}

export const DEFAULT_DEPLOY_WORKFLOWS = ['deploy*', '*deploy'];

export type IngestChangesResult =
  | { type: 'unauthorized'; error: string; message: string }
  | {
      type: 'accepted';
      accepted: number;
      duplicates: number;
      /** Older than what is stored: kept in the history, the deployment not moved back. */
      stale: number;
      ignored?: string;
      /** Services no incident or alert of the org has named: stored, flagged. */
      unmapped: string[];
      pong?: boolean;
    };

const unauthorized = (error: string, message: string): IngestChangesResult => ({
  type: 'unauthorized',
  error,
  message,
});

/** Bearer token, or the HTTP Basic password (as alert connectors accept). */
function bearer(header: string | undefined): string | undefined {
  const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(header ?? '');
  if (!m) return undefined;
  if (m[1].toLowerCase() === 'bearer') return m[2];
  if (m[1].toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(m[2], 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : undefined;
}

type Headers = (name: string) => string | undefined;

async function authenticate(
  deps: ChangesDeps,
  c: ChangeConnectorRow,
  headers: Headers,
  raw: string,
): Promise<IngestChangesResult | undefined> {
  switch (c.kind) {
    case 'github': {
      const signature = headers('x-hub-signature-256');
      if (!signature)
        return unauthorized(
          'missing_signature',
          'GitHub deliveries must carry X-Hub-Signature-256: set the connector token as the webhook secret.',
        );
      if (!c.webhookSecret)
        return unauthorized('no_secret', 'This connector has no webhook secret stored; create a new github connector.');
      const good = await deps.verifyGithubSignature(c.webhookSecret, raw, signature).catch(() => false);
      return good
        ? undefined
        : unauthorized(
            'bad_signature',
            'X-Hub-Signature-256 does not match the body (HMAC-SHA256 with the connector token as the secret).',
          );
    }
    case 'gitlab': {
      const token = headers('x-gitlab-token');
      if (!token)
        return unauthorized(
          'missing_token',
          'Set the connector token as the GitLab webhook "Secret token" (sent as X-Gitlab-Token).',
        );
      return tokenMatches(token, c.tokenHash)
        ? undefined
        : unauthorized('bad_token', 'X-Gitlab-Token does not match this connector.');
    }
    default: {
      const token = bearer(headers('authorization'));
      if (!token) return unauthorized('missing_token', 'Send the connector token as `Authorization: Bearer <token>`.');
      return tokenMatches(token, c.tokenHash)
        ? undefined
        : unauthorized('bad_token', 'The token does not match this connector.');
    }
  }
}

/**
 * One change webhook delivery: verified per kind, normalised, folded into the deployment history.
 * Malformed bodies throw DomainError('invalid_input') naming the fields; nothing is stored then.
 */
export async function ingestChanges(
  deps: ChangesDeps,
  connector: ChangeConnectorRow,
  headers: Headers,
  rawBody: Buffer | string,
): Promise<IngestChangesResult> {
  if (!isChangeConnectorKind(connector.kind))
    throw new DomainError('invalid_input', `Connector kind "${connector.kind}" takes alerts, not change events.`);
  const raw = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const refused = await authenticate(deps, connector, headers, raw);
  if (refused) return refused;
  if (connector.revokedAt)
    return unauthorized('revoked_connector', `This connector was revoked at ${connector.revokedAt}; create a new one.`);

  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    throw new DomainError('invalid_input', `The body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const now = deps.now();
  const eventType =
    connector.kind === 'github'
      ? headers('x-github-event')
      : connector.kind === 'gitlab'
        ? headers('x-gitlab-event')
        : undefined;
  const mapping = deps.mapping?.current();
  const result = normaliseChange(connector.kind, body, {
    eventType,
    receivedAt: now.toISOString(),
    deployWorkflows: deps.deployWorkflows ?? mapping?.deployWorkflows ?? DEFAULT_DEPLOY_WORKFLOWS,
    mapping,
  });
  const empty = { type: 'accepted' as const, accepted: 0, duplicates: 0, stale: 0, unmapped: [] };
  if (result.type === 'ping') return { ...empty, pong: true };
  if (result.type === 'ignored') return { ...empty, ignored: result.reason };

  const { moved, finished, ...counts } = await recordAll(deps.db, connector.orgId, connector.id, result.events, now);
  if (deps.rollback) await followDeployments(deps.rollback, connector.orgId, { moved, finished });
  return { ...empty, ...counts };
}

/** Store normalised change events (repeats and stale statuses counted, never applied); flags unknown services. */
async function recordAll(db: DB, orgId: string, connectorId: string, events: readonly ChangeEvent[], now: Date) {
  const counts = { accepted: 0, duplicates: 0, stale: 0 };
  /** Deliveries that changed a deployment's status: what rollbacks and live summaries follow. */
  const moved: ChangeEvent[] = [];
  // Every finished status, repeats included: a rollback whose settling failed after the deployment was stored
  // is settled by the sender's retry (settling twice changes nothing).
  const finished = events.filter((e) => isTerminal(e.status));
  const unmapped = new Set<string>();
  const known = new Map<string, boolean>();
  for (const event of events) {
    if (!known.has(event.service)) known.set(event.service, await isKnownService(db, orgId, event.service));
    const isUnmapped = !known.get(event.service);
    const outcome = await recordChange(db, { orgId, connectorId, event, unmapped: isUnmapped, now });
    if (outcome === 'duplicate') counts.duplicates++;
    else if (outcome === 'stale') counts.stale++;
    else {
      counts.accepted++;
      moved.push(event);
    }
    if (isUnmapped) unmapped.add(event.service);
  }
  return { ...counts, unmapped: [...unmapped], moved, finished };
}

export interface ListChangesInput {
  orgId: string;
  actor: Actor;
  service?: string;
  environment?: string;
  status?: string;
  since?: string;
  until?: string;
  limit?: number;
}

const MAX_LIST = 200;

function isoArg(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const r = parseTime(v);
  if (!r.ok) throw new DomainError('invalid_input', `${name}: ${r.error}`);
  return r.value;
}

/** Recent deployments, newest first (viewer+). */
export async function listRecentChanges(
  deps: Pick<ChangesDeps, 'db'>,
  input: ListChangesInput,
): Promise<StoredChange[]> {
  requirePermission(canView(input.actor));
  if (input.status !== undefined && !(CHANGE_STATUSES as readonly string[]).includes(input.status)) {
    throw new DomainError('invalid_input', `status: expected one of ${CHANGE_STATUSES.join(', ')}`);
  }
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 20)), MAX_LIST);
  return listChanges(deps.db, input.orgId, {
    service: input.service,
    environment: input.environment,
    status: input.status as ChangeStatus | undefined,
    since: isoArg('since', input.since),
    until: isoArg('until', input.until),
    limit,
  });
}

/** Each environment's current version (its last successful deployment), viewer+. */
export async function listEnvironments(
  deps: Pick<ChangesDeps, 'db'>,
  input: { orgId: string; actor: Actor; service?: string },
): Promise<EnvironmentVersion[]> {
  requirePermission(canView(input.actor));
  return currentEnvironments(deps.db, input.orgId, input.service);
}

export const SUSPECT_WINDOW_MS = 2 * 60 * 60 * 1000;

/**
 * Deployments of `service` that started before `before` and were still running or finished within
 * `windowMs` of it, latest first: "what changed before it broke" (summary, guidance). No permission
 * check: callers are the system on an incident's behalf.
 */
export async function changesBefore(
  deps: Pick<ChangesDeps, 'db'>,
  input: { orgId: string; service: string; before: string; windowMs?: number },
): Promise<StoredChange[]> {
  const from = new Date(Date.parse(input.before) - (input.windowMs ?? SUSPECT_WINDOW_MS)).toISOString();
  const rows = await listChanges(deps.db, input.orgId, {
    service: input.service,
    until: input.before,
    since: from,
    limit: 50,
  });
  return rows.sort((a, b) => (b.finishedAt ?? b.statusAt).localeCompare(a.finishedAt ?? a.statusAt));
}

export interface RecordChangesInput {
  orgId: string;
  actor: Actor;
  /** The generic change shape (docs/changes.md): one object or an array. */
  body: unknown;
}

/** `POST /changes` with an API token (responder+): the generic shape, recorded as a connector delivery would be. */
export async function recordChangesFromApi(
  deps: Pick<ChangesDeps, 'db' | 'now' | 'mapping' | 'rollback'>,
  input: RecordChangesInput,
) {
  requirePermission(canRecordChanges(input.actor));
  const now = deps.now();
  const mapping = deps.mapping?.current();
  const r = normaliseChange('changes', input.body, { receivedAt: now.toISOString(), deployWorkflows: [], mapping });
  if (r.type !== 'events') return { accepted: 0, duplicates: 0, stale: 0, unmapped: [] as string[] };
  const { moved, finished, ...counts } = await recordAll(deps.db, input.orgId, input.actor.id, r.events, now);
  if (deps.rollback) await followDeployments(deps.rollback, input.orgId, { moved, finished });
  return counts;
}

/** App Home's Deployments section: each environment's current version (failed latest flagged) and the latest few. */
export async function deploymentsOverview(deps: Pick<ChangesDeps, 'db'>, input: { orgId: string; actor: Actor }) {
  const [environments, recent] = await Promise.all([
    listEnvironments(deps, input),
    listRecentChanges(deps, { ...input, limit: 5 }),
  ]);
  return { environments, recent };
}
