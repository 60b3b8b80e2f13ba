import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { createConnector } from '../../src/adapters/db/connector.repo';
import type { DB } from '../../src/adapters/db/schema';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A fixture body; the Alertmanager captures are `{headers, body}` and give their body. */
export function fixture(name: string): any {
  const data = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
  return name.startsWith('alertmanager/') ? data.body : data;
}

export async function connector(db: DB, orgId: string, kind: string, name?: string) {
  return createConnector(db, { orgId, kind, name, createdBy: 'test', now: new Date() });
}

export interface Sent {
  status: number;
  body: any;
}

export type Transport = (connectorId: string, body: string | Buffer, headers?: Record<string, string>) => Promise<Sent>;

async function read(res: Response): Promise<Sent> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

/** POST over the real socket (Node's HTTP server, keep-alive, body limit by Content-Length). */
export const overSocket =
  (baseUrl: string): Transport =>
  async (id, body, headers = {}) =>
    read(await fetch(`${baseUrl}/connectors/${id}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));

/** The same route through Hono's `app.request()`, without a socket. */
export const throughHono =
  (app: Hono): Transport =>
  async (id, body, headers = {}) =>
    read(await app.request(`/connectors/${id}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A generic-JSON signal (see docs/connectors.md). */
export function genericSignal(o: Partial<Record<string, unknown>> & { serviceName: string }) {
  return { environment: 'prod', status: 'firing', title: `${o.serviceName} is unhappy`, startsAt: new Date().toISOString(), ...o };
}

/** Counts of everything an accepted request writes, to prove a refused one wrote nothing. */
export async function storedCounts(db: DB) {
  const n = async (t: 'signal_receipts' | 'incident_events' | 'watchlist' | 'firing_signals' | 'watchlist_history' | 'outbox') =>
    Number((await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    receipts: await n('signal_receipts'),
    events: await n('incident_events'),
    watchlist: await n('watchlist'),
    firing: await n('firing_signals'),
    history: await n('watchlist_history'),
    outbox: await n('outbox'),
  };
}
