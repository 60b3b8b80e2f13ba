import type { Context } from 'hono';
import { type ConnectorForWebhook, findConnectorForWebhook } from '../db/connector.repo';
import type { DB } from '../db/schema';

/**
 * `POST /connectors/:id/webhook` is shared by heartbeat, change and alert connectors, each route handing
 * on what is not its kind: the connector is read once per request (one statement, not one per route).
 */
const looked = new WeakMap<Request, Promise<ConnectorForWebhook | undefined>>();

export function lookupConnector(c: Context, db: DB): Promise<ConnectorForWebhook | undefined> {
  let found = looked.get(c.req.raw);
  if (!found) looked.set(c.req.raw, (found = findConnectorForWebhook(db, c.req.param('connectorId') ?? '')));
  return found;
}
