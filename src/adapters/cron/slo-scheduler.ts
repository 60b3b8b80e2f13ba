import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { HeartbeatService } from '../../app/heartbeat.service';
import type { SloService } from '../../app/slo.service';

export interface SloSchedulerDeps {
  logger: Logger;
  now: () => Date;
  /** Names this process in the slot claims (the main scheduler's id). */
  id: string;
  slos: SloService;
  heartbeats: HeartbeatService;
  /** SLO_EVAL_CRON, five fields. */
  evalCron: string;
  heartbeatEveryMs: number;
  homeOrg?: () => Promise<string | undefined>;
}

/**
 * SLO evaluation on SLO_EVAL_CRON and the heartbeat check every HEARTBEAT_CHECK_SECONDS. Each run is claimed
 * in schedule_leases (one process per org and minute, resp. per check period), so any number of replicas
 * may run this. A failing run is logged; the next one tries again.
 */
export function createSloScheduler(deps: SloSchedulerDeps) {
  const log = deps.logger.child({ component: 'slo-scheduler' });
  let task: ScheduledTask | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let checking: Promise<unknown> | undefined;

  async function evaluate(at: Date) {
    try {
      const home = await deps.homeOrg?.().catch(() => undefined);
      const orgs = await deps.slos.runScheduled(at, deps.id, home);
      if (orgs.length) log.debug({ orgs }, 'SLOs evaluated');
    } catch (err) {
      log.error({ err }, 'SLO evaluation failed');
    }
  }

  async function check(at: Date) {
    try {
      const raised = await deps.heartbeats.runScheduled(at, deps.id, deps.heartbeatEveryMs);
      if (raised.length) log.info({ heartbeats: raised }, 'missed heartbeats raised');
    } catch (err) {
      log.error({ err }, 'heartbeat check failed');
    }
  }

  return {
    evaluate,
    check,
    start() {
      if (task) return;
      task = cron.schedule(
        deps.evalCron,
        () => {
          inFlight = evaluate(deps.now());
          return inFlight;
        },
        { name: `revenant-slo:${deps.id}`, noOverlap: true },
      );
      timer = setInterval(() => {
        checking ??= check(deps.now()).finally(() => (checking = undefined));
      }, deps.heartbeatEveryMs);
      timer.unref();
    },
    async stop() {
      const t = task;
      task = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
      await t?.destroy();
      await inFlight.catch(() => undefined);
      await checking?.catch(() => undefined);
    },
  };
}
