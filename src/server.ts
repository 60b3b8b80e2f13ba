import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { ErrorCode } from '@slack/bolt';
import type { Logger } from 'pino';
import { createDb } from './adapters/db/create-db';
import { migrateToLatest } from './adapters/db/migrate';
import type { DB } from './adapters/db/schema';
import { createSearchIndexer } from './adapters/db/search.indexer';
import { closeServer, createInflight, refuseWhileDraining, timestampFromFuture } from './adapters/http/graceful';
import { connectorsRoute } from './adapters/http/connectors.route';
import { heartbeatRoute } from './adapters/http/heartbeat.route';
import { attachSlos } from './adapters/slos/slo.wiring';
import { changesRoute } from './adapters/http/changes.route';
import { followUpsWebhookRoute } from './adapters/http/followups-webhook.route';
import { createMappingFile } from './adapters/changes/mapping-file';
import { registerRollbackListeners } from './adapters/slack/rollback/rollback.listener';
import { apiRouteModule } from './adapters/http/api/api.route';
import { webhookPlanContext, withWebhooks } from './adapters/webhooks/webhook.effects';
import { createHttpApp, type RouteModule } from './adapters/http/http.app';
import { guardSlackBody } from './adapters/http/slack-body-guard';
import { createMetrics } from './adapters/metrics/metrics';
import { configSecrets, createLogger } from './adapters/logger';
import type { DelivererRegistry } from './adapters/outbox/effect-registry';
import { createOutboxWorker } from './adapters/outbox/outbox.worker';
import { retryNow } from './adapters/db/outbox.repo';
import { createRunbookFiles } from './adapters/runbooks/runbook-files';
import { createCatalogFiles } from './adapters/catalog/catalog-files';
import { createCatalogService } from './app/catalog.service';
import { createSlackRuntime, type ListenerModule, SLACK_BODY_LIMIT } from './adapters/slack/bolt-app';
import { createEffectPlanner } from './adapters/slack/effects.planner';
import { createSummaryPacer } from './adapters/slack/delivery/edit-pacing';
import { registerGuidanceListeners } from './adapters/slack/guidance/guidance.listener';
import { isSlackUnreachable, slackErrorHint } from './adapters/slack/slack-errors';
import { createSlackDelivery } from './adapters/slack/delivery/slack.deliveries';
import { registerPostmortemListeners } from './adapters/slack/postmortems/postmortem.listener';
import { registerFollowUpListeners } from './adapters/slack/followups/followups.listener';
import { registerPrivacyListeners } from './adapters/slack/privacy/privacy.listener';
import { chatPortsFrom } from './adapters/slack/postmortems/postmortem.wiring';
import { createGitHubPullRequests } from './adapters/github/github-pr';
import { createGuidanceDrafter } from './adapters/openai/guidance-llm';
import { createCatchupSummarizerPort } from './adapters/openai/catchup-llm';
import { createPostmortemDrafterPort } from './adapters/openai/postmortem-drafter';
import { withChannelLifecycle } from './adapters/cron/archive.delivery';
import { createScheduler, homeOrgFrom, type Scheduler } from './adapters/cron/scheduler';
import { registerDigestFeature } from './adapters/slack/digest/digest.feature';
import type { AppDeps } from './app/deps';
import { createIncidentService } from './app/incident.service';
import { createCommitFeed } from './app/commit-feed';
import { consoleRouteModule } from './adapters/console/console.routes';
import type { Config } from './config';

export interface StartOptions {
  db?: DB;
  logger?: Logger;
  now?: () => Date;
  /** Extra HTTP routes / Bolt listeners / outbox handlers from feature areas. */
  routes?: RouteModule[];
  listeners?: ListenerModule[];
  deliveries?: Partial<DelivererRegistry>;
  /** Tests drive the outbox by hand when false. */
  startWorker?: boolean;
  workerPollMs?: number;
  /** Digests, reminders and archiving tick once a minute; tests pass false and call `scheduler.tick(at)`. */
  startScheduler?: boolean;
  /** Outbox tuning (tests shorten the lease and the backoff). */
  outbox?: { leaseMs?: number; backoffBaseMs?: number; concurrency?: number };
  /** How long stop() waits for in-flight requests and listener work before cutting them off. */
  shutdownGraceMs?: number;
}

export interface Running {
  url: string;
  port: number;
  server: Server;
  deps: AppDeps;
  worker: ReturnType<typeof createOutboxWorker>;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

/** Wire everything (plain objects, no container) and listen. Used by main.ts and by the tests. */
export async function startRevenant(config: Config, opts: StartOptions = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger(config.logLevel, undefined, configSecrets(config));
  // A restart or failover kills pooled connections: say so (at most every 10 s), the pool opens new ones.
  let lostLogged = 0;
  let lostSince = 0;
  const onConnectionError = (err: Error) => {
    lostSince++;
    if (Date.now() - lostLogged < 10_000) return;
    logger.warn({ error: err.message, connectionsLost: lostSince }, 'database connection lost; the pool reconnects by itself');
    lostLogged = Date.now();
    lostSince = 0;
  };
  const db = opts.db ?? createDb(config.database, { poolMax: config.databasePoolMax, onConnectionError });
  await migrateToLatest(db);
  const now = opts.now ?? (() => new Date());
  const metrics = createMetrics();

  // Search is a convenience: a failed re-index is logged, and `revenant projections rebuild` repairs it.
  const searchIndexer = createSearchIndexer(db, { onError: (err, orgId, incidentId) => logger.warn({ err, orgId, incidentId }, 'search index update failed') });
  const runbooks = createRunbookFiles(config.runbooksDir);
  const catalogFiles = createCatalogFiles(config.catalogPath, {
    now,
    onProblems: (problems) => logger.warn({ problems: problems.slice(0, 50), count: problems.length }, 'service catalog problems (bad entries skipped)'),
  });
  await catalogFiles.reload();
  const catalog = createCatalogService(catalogFiles);

  const commitFeed = createCommitFeed();
  let kick = () => undefined as void;
  const incidents = createIncidentService({
    db,
    now,
    planEffects: withWebhooks(withChannelLifecycle(createEffectPlanner({
      announceChannel: config.announceChannel,
      privateAnnounce: config.privacy.announce,
      followUpExport: !!config.github.token,
      // A trailing edit needs a clock that moves: with a clock injected (tests freeze one), edits go out unpaced.
      summaryPacer: opts.now ? undefined : createSummaryPacer(),
    }))),
    planContext: webhookPlanContext,
    onCommitted: (r) => {
      for (const e of r.events) metrics.incidentEvents.inc({ type: e.type });
      searchIndexer.schedule(r.orgId, r.incidentId);
      commitFeed.publish(r);
      kick();
    },
  });
  const deps: AppDeps = {
    db, config, logger, now, incidents, metrics, runbooks, searchIndexer, commitFeed, catalog,
    kickOutbox: () => kick(),
    postmortems: { drafter: createPostmortemDrafterPort(config), pullRequests: createGitHubPullRequests(config.github) },
    guidance: { drafter: createGuidanceDrafter(config) },
    catchup: { summarizer: createCatchupSummarizerPort(config) },
    changesMapping: createMappingFile(config.changes.mappingPath, logger),
  };
  const slos = attachSlos(deps);

  // Slack back after an outage: what backed off because of it goes out now (still in order), not up to a minute later.
  // Only calls that provably never reached Slack (refused, no DNS): a timed-out call may still land, and its
  // retry must wait its backoff before looking for it, or it would post a second copy.
  const onSlackRecovered = () =>
    void retryNow(db, ['%ECONNREFUSED%', '%ENOTFOUND%', '%EAI_AGAIN%'], now())
      .then(() => kick())
      .catch((err) => logger.warn({ err }, 'could not hurry the outbox after Slack came back'));
  const listenerModules = [registerPostmortemListeners, registerFollowUpListeners, registerGuidanceListeners, registerDigestFeature, registerRollbackListeners, registerPrivacyListeners, ...(opts.listeners ?? [])];
  const slack = config.slack.mode === 'none' ? undefined : createSlackRuntime(config, deps, listenerModules, { onSlackRecovered });
  // The REST API drafts postmortems with the workspace's names and links, as a slash command would.
  if (slack && deps.postmortems) deps.postmortems.chatPortsFor = chatPortsFrom(deps, slack.clientFor);
  const worker = createOutboxWorker({
    db,
    now,
    pollMs: opts.workerPollMs,
    leaseMs: opts.outbox?.leaseMs ?? config.outboxLeaseMs,
    backoffBaseMs: opts.outbox?.backoffBaseMs,
    concurrency: opts.outbox?.concurrency,
    deliver: createSlackDelivery(
      { db, config, now, incidents, catalog, warn: (msg, d) => logger.warn(d ?? {}, msg), clientFor: slack?.clientFor ?? (async () => undefined) },
      opts.deliveries,
    ),
    // Slack unreachable is an outage to wait out, not a reason to give an effect up after ~25 minutes.
    keepTrying: (o) => o.type === 'retry' && isSlackUnreachable(o.error),
    onOutcome: (row, o) => {
      metrics.outboxDelivered.inc({ kind: row.kind, outcome: o.type });
      if (o.type === 'retry' && isSlackUnreachable(o.error)) slack?.health.unreachable(o.error);
      else if (o.type === 'done') slack?.health.reachable();
      if (o.type === 'failed') logger.warn({ effect: row.kind, id: row.id, incidentId: row.incident_id, error: o.error, hint: slackErrorHint(o.error) }, 'effect failed permanently');
    },
    onError: (err) => logger.error({ err }, 'outbox worker error'),
  });
  kick = () => worker.kick();
  const scheduler = createScheduler({ db, config, logger, now, kick: () => kick(), homeOrg: config.slack.mode === 'single' && slack ? homeOrgFrom(() => slack.clientFor('')) : undefined });
  const sloSchedule = { id: scheduler.id, homeOrg: config.slack.mode === 'single' && slack ? homeOrgFrom(() => slack.clientFor('')) : undefined };

  const readiness = { slack: slack ? () => slack.health.status() : undefined };
  const hono = createHttpApp(deps, metrics, [changesRoute, followUpsWebhookRoute, heartbeatRoute, connectorsRoute, apiRouteModule, consoleRouteModule, ...(opts.routes ?? [])], readiness);
  const honoListener = getRequestListener(hono.fetch);
  const slackListener = slack?.httpListener;
  // Listener work continues after ack(): count it so a graceful stop can wait for it.
  const inflight = createInflight();
  slack?.app.use(({ next }) => inflight.track(() => next()));
  let draining = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (draining) return refuseWhileDraining(res);
    if (slackListener && req.url?.startsWith('/slack/')) {
      if (timestampFromFuture(req)) {
        res.writeHead(401).end();
        return;
      }
      if (req.method === 'POST') {
        // Only an object body reaches Bolt (a signed `null` would throw inside its receiver).
        const guard = { signingSecret: config.slack.signingSecret ?? '', limit: SLACK_BODY_LIMIT, logger };
        void guardSlackBody(req, res, guard)
          .then((take) => {
            if (!take) return;
            try {
              slackListener(req, res);
            } catch (e) {
              if ((e as { code?: string }).code !== ErrorCode.HTTPReceiverDeferredRequestError) throw e;
              honoListener(req, res);
            }
          })
          .catch((err) => {
            logger.error({ err }, 'Slack request failed before Bolt');
            if (!res.headersSent) res.writeHead(500).end();
          });
        return;
      }
      try {
        return slackListener(req, res);
      } catch (e) {
        // Bolt throws (synchronously) for paths it does not serve, e.g. /slack/install outside OAuth mode: 404 below.
        if ((e as { code?: string }).code !== ErrorCode.HTTPReceiverDeferredRequestError) throw e;
      }
    }
    return honoListener(req, res);
  });
  // Alertmanager reuses idle connections for up to ~90 s: stay open longer so reuse never hits a reset.
  server.keepAliveTimeout = 95_000;
  server.headersTimeout = 100_000;
  // A taken port is a start-up error for main() to report, not an unhandled 'error' event with a stack trace.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  await slack?.start();
  if (opts.startWorker !== false) worker.start();
  if (opts.startScheduler !== false) scheduler.start();
  if (opts.startScheduler !== false) slos.start(sloSchedule);
  logger.info({ port, slack: config.slack.mode, socketMode: !!config.slack.appToken, database: config.database.dialect }, 'Runbook Revenant is listening');

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    deps,
    worker,
    scheduler,
    async stop() {
      // Stop taking requests, let in-flight ones and the current outbox batch finish, then close the DB.
      const grace = opts.shutdownGraceMs ?? 10_000;
      draining = true;
      const closedClean = await closeServer(server, grace);
      const listenersDone = await inflight.idle(grace);
      await scheduler.stop();
      await slos.stop();
      await worker.stop();
      await slack?.stop();
      await searchIndexer.close();
      runbooks.close();
      catalogFiles.close();
      if (!opts.db) await db.destroy();
      logger.info({ closedClean, listenersDone }, 'Runbook Revenant stopped');
    },
  };
}
