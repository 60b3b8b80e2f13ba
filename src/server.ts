import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { createDb } from './adapters/db/create-db';
import { migrateToLatest } from './adapters/db/migrate';
import type { DB } from './adapters/db/schema';
import { createHttpApp, type RouteModule } from './adapters/http/http.app';
import { createMetrics } from './adapters/http/metrics';
import { createLogger } from './adapters/logger';
import { createOutboxWorker, type Deliver } from './adapters/outbox/outbox.worker';
import { createSlackRuntime, type ListenerModule } from './adapters/slack/bolt-app';
import { createEffectPlanner } from './adapters/slack/effects.planner';
import { createSlackDelivery } from './adapters/slack/slack.delivery';
import type { AppDeps } from './app/deps';
import { createIncidentService } from './app/incident.service';
import type { Config } from './config';

export interface StartOptions {
  db?: DB;
  logger?: Logger;
  now?: () => Date;
  /** Extra HTTP routes / Bolt listeners / outbox handlers from feature areas. */
  routes?: RouteModule[];
  listeners?: ListenerModule[];
  deliveries?: Record<string, Deliver>;
  /** Tests drive the outbox by hand when false. */
  startWorker?: boolean;
  workerPollMs?: number;
}

export interface Running {
  url: string;
  port: number;
  server: Server;
  deps: AppDeps;
  worker: ReturnType<typeof createOutboxWorker>;
  stop(): Promise<void>;
}

/** Wire everything (plain objects, no container) and listen. Used by main.ts and by the tests. */
export async function startRevenant(config: Config, opts: StartOptions = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = opts.db ?? createDb(config.database, { poolMax: config.databasePoolMax });
  await migrateToLatest(db);
  const now = opts.now ?? (() => new Date());
  const metrics = createMetrics();

  let kick = () => undefined as void;
  const incidents = createIncidentService({
    db,
    now,
    planEffects: createEffectPlanner({ announceChannel: config.announceChannel }),
    onCommitted: (r) => {
      for (const e of r.events) metrics.incidentEvents.inc({ type: e.type });
      kick();
    },
  });
  const deps: AppDeps = { db, config, logger, now, incidents, kickOutbox: () => kick() };

  const slack = config.slack.mode === 'none' ? undefined : createSlackRuntime(config, deps, opts.listeners ?? []);
  const worker = createOutboxWorker({
    db,
    now,
    pollMs: opts.workerPollMs,
    deliver: createSlackDelivery({ db, incidents, clientFor: slack?.clientFor ?? (async () => undefined), channelPrefix: config.channelPrefix, extra: opts.deliveries }),
    onOutcome: (row, o) => {
      metrics.outboxDelivered.inc({ kind: row.kind, outcome: o.type });
      if (o.type === 'failed') logger.warn({ effect: row.kind, id: row.id, error: o.error }, 'effect failed permanently');
    },
    onError: (err) => logger.error({ err }, 'outbox worker error'),
  });
  kick = () => worker.kick();

  const hono = createHttpApp(deps, metrics, opts.routes ?? []);
  const honoListener = getRequestListener(hono.fetch);
  const slackListener = slack?.httpListener;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (slackListener && req.url?.startsWith('/slack/')) return slackListener(req, res);
    return honoListener(req, res);
  });
  // Alertmanager reuses idle connections for up to ~90 s: stay open longer so reuse never hits a reset.
  server.keepAliveTimeout = 95_000;
  server.headersTimeout = 100_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const port = (server.address() as AddressInfo).port;
  await slack?.start();
  if (opts.startWorker !== false) worker.start();
  logger.info({ port, slack: config.slack.mode, socketMode: !!config.slack.appToken, database: config.database.dialect }, 'Runbook Revenant is listening');

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    deps,
    worker,
    async stop() {
      // Stop taking requests, let in-flight ones and the current outbox batch finish, then close the DB.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await worker.stop();
      await slack?.stop();
      if (!opts.db) await db.destroy();
    },
  };
}
