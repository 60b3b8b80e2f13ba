import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The floor for every HTTP figure: the same stack as the bot (node:http + @hono/node-server's
 * getRequestListener + Hono), in its own process, doing nothing but answering.
 */
const app = new Hono();
app.post('/slack/events', (c) => c.body(null, 200));
// The API read's floor: the same route shape, an empty page.
app.get('/api/v1/orgs/:orgId/incidents', (c) => c.json({ items: [], next: null }));
app.post('/alerts', async (c) => {
  const body = (await c.req.json()) as { alerts?: unknown[] };
  return c.json({ accepted: Array.isArray(body.alerts) ? body.alerts.length : 0 }, 202);
});
const server = createServer(getRequestListener(app.fetch));
server.keepAliveTimeout = 95_000;
server.headersTimeout = 100_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => server.close(() => process.exit(0)));
