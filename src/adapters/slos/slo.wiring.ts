import type { AppDeps } from '../../app/deps';
import { createHeartbeatService } from '../../app/heartbeat.service';
import { createSloService } from '../../app/slo.service';
import { createSloScheduler } from '../cron/slo-scheduler';
import { createPrometheusClient } from '../prometheus/prometheus.client';
import { createSloFiles } from './slo-files';

/**
 * SLOs and heartbeats wired into the running bot (server.ts): `deps.slos` (files, Prometheus, the service)
 * right away, the scheduled evaluation and heartbeat check once the main scheduler's id is known.
 */
export function attachSlos(deps: AppDeps) {
  const { config, logger } = deps;
  const source = createSloFiles(config.slo.path, { logger });
  const prometheus = config.prometheus.url
    ? createPrometheusClient({ ...config.prometheus, url: config.prometheus.url })
    : undefined;
  deps.slos = { source, prometheus, service: createSloService({ ...deps, sloSource: source, prometheus }) };
  let scheduler: ReturnType<typeof createSloScheduler> | undefined;
  return {
    start(o: { id: string; homeOrg?: () => Promise<string | undefined> }) {
      scheduler ??= createSloScheduler({
        logger,
        now: deps.now,
        id: o.id,
        slos: deps.slos!.service,
        heartbeats: createHeartbeatService(deps),
        evalCron: config.slo.evalCron,
        heartbeatEveryMs: config.heartbeatCheckSeconds * 1000,
        homeOrg: o.homeOrg,
      });
      scheduler.start();
    },
    async stop() {
      await scheduler?.stop();
      source.close();
    },
  };
}
