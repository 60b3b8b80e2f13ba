import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import { minuteSlot } from '../../watchlist/time.format';
import { archiveJob } from './archive.job';
import { digestJob } from './digest.job';
import { insightsJob } from './insights.job';
import type { Job, JobContext } from './job';
import { reminderJob } from './reminder.job';

export interface SchedulerDeps extends Omit<JobContext, 'id'> {
  /** The clock; tests pass their own and call tick() themselves. */
  now: () => Date;
  /** Wake the outbox worker after something was enqueued. */
  kick: () => void;
}

export interface TickReport {
  slot: string;
  digests: string[];
  reminders: string[];
  archives: string[];
  /** Orgs whose weekly insights post was claimed (INSIGHTS_CRON). */
  insights: string[];
}

/**
 * Once a minute (node-cron), look at what is due now: workspace digests, status-update reminders,
 * channel archiving. Every run is claimed in the database, so any number of processes may tick.
 */
export function createScheduler(deps: SchedulerDeps) {
  const ctx: JobContext = { ...deps, id: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}` };
  const log = deps.logger.child({ component: 'scheduler' });
  let task: ScheduledTask | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  async function run(name: string, job: Job, at: Date): Promise<string[]> {
    try {
      return await job(ctx, at);
    } catch (err) {
      // One failing job (or workspace) must not stop the others; the next tick tries again.
      log.error({ err, job: name }, 'scheduled job failed');
      return [];
    }
  }

  async function tick(at: Date = deps.now()): Promise<TickReport> {
    const report: TickReport = {
      slot: minuteSlot(at),
      digests: await run('digest', digestJob, at),
      reminders: await run('reminder', reminderJob, at),
      archives: await run('archive', archiveJob, at),
      insights: await run('insights', insightsJob, at),
    };
    if (report.digests.length + report.reminders.length + report.archives.length + report.insights.length > 0) {
      log.info(report, 'scheduled work enqueued');
      deps.kick();
    }
    return report;
  }

  return {
    id: ctx.id,
    tick,
    start() {
      if (task) return;
      task = cron.schedule(
        '* * * * *',
        () => {
          inFlight = tick(deps.now());
          return inFlight;
        },
        {
          name: `revenant-scheduler:${ctx.id}`,
          noOverlap: true,
          logger: { info: (m) => log.debug(m), warn: (m) => log.warn(m), error: (m, err) => log.error({ err }, String(m)), debug: (m) => log.debug(String(m)) },
        },
      );
    },
    async stop() {
      const t = task;
      task = undefined;
      await t?.destroy();
      await inFlight.catch(() => undefined);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;

/** Single-workspace mode: the bot's own workspace (auth.test), asked once and remembered. */
export function homeOrgFrom(client: () => Promise<{ auth: { test(): Promise<{ team_id?: string }> } } | undefined>): () => Promise<string | undefined> {
  let known: Promise<string | undefined> | undefined;
  return () => {
    known ??= client()
      .then((c) => c?.auth.test())
      .then((r) => r?.team_id)
      .catch(() => {
        known = undefined; // ask again on the next tick
        return undefined;
      });
    return known;
  };
}
