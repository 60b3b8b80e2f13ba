import {
  type Connector,
  createConnector,
  listConnectors as listConnectorRows,
  webhookUrl,
} from '../adapters/db/connector.repo';
import type { DB } from '../adapters/db/schema';
import { rememberWebhookSecret } from '../adapters/db/changes.repo';
import type { Config } from '../config';
import { canAdminister, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { HEARTBEAT_KIND } from '../slos/heartbeat.policy';
import { heartbeatSpecOf, registerHeartbeat } from './heartbeat.service';
import { connectorCategory } from '../changes/change.types';

/** Alert connectors: created and listed by admins (slash command) and operators (CLI). */
export interface ConnectorDeps {
  db: DB;
  config: Pick<Config, 'publicUrl'>;
  now: () => Date;
}

const TASK = 'Managing connectors';

export interface NewConnectorInput {
  orgId: string;
  actor: Actor;
  /** As typed; checked against the known kinds. */
  kind: string;
  name?: string;
  /** A retry of the same request is refused instead of creating a second connector. */
  idempotencyKey?: string;
  /** Heartbeats: expected interval and grace (`5m`, `30s`); also read from the name (`backup every 1h grace 5m`). */
  interval?: string;
  grace?: string;
}

/** The token is in this result only, once; only its hash is stored. */
export interface CreatedConnector {
  id: string;
  kind: string;
  url: string;
  token: string;
}

/** Refuses a non-admin before anything is parsed (a chat command checks this first, then parses). */
export function checkCanManageConnectors(actor: Actor): void {
  requirePermission(canAdminister(actor, TASK));
}

export async function addConnector(deps: ConnectorDeps, input: NewConnectorInput): Promise<CreatedConnector> {
  checkCanManageConnectors(input.actor);
  const heartbeat = input.kind.trim().toLowerCase() === HEARTBEAT_KIND ? heartbeatSpecOf(input.name, input) : undefined;
  const c = await createConnector(deps.db, {
    orgId: input.orgId,
    kind: input.kind,
    name: heartbeat?.name ?? input.name,
    createdBy: input.actor.id,
    now: deps.now(),
    requestKey: input.idempotencyKey,
  });
  await rememberWebhookSecret(deps.db, { id: c.id, orgId: input.orgId, kind: input.kind, token: c.token, now: deps.now() });
  if (heartbeat) await registerHeartbeat(deps.db, { connectorId: c.id, orgId: input.orgId, ...heartbeat, now: deps.now() });
  return {
    id: c.id,
    kind: input.kind.trim().toLowerCase(),
    url: webhookUrl(deps.config.publicUrl, c.id),
    token: c.token,
  };
}

export async function listConnectors(
  deps: Pick<ConnectorDeps, 'db' | 'config'>,
  input: { orgId: string; actor: Actor },
): Promise<Array<Omit<Connector, 'kind'> & { kind: string; url: string; category: 'changes' | 'alerts' }>> {
  checkCanManageConnectors(input.actor);
  const all = await listConnectorRows(deps.db, input.orgId);
  return all.map((c) => ({ ...c, url: webhookUrl(deps.config.publicUrl, c.id), category: connectorCategory(c.kind) }));
}
