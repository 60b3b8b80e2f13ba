import { yieldToLoop } from '../shared/yield-to-loop';

/**
 * Group commit: jobs submitted for one key (an org) while that key's previous transaction runs are
 * gathered and run together in the next one, so concurrent requests share one commit (one fsync, one
 * lock acquisition) instead of queueing for one each. Each job is answered only after the commit that
 * holds it. When a group fails, each of its jobs is run again alone, so only a failing job's caller
 * sees the error. The first job of an idle key waits one event-loop turn (not a timer): no added wait
 * when there is no load.
 */
export interface GroupJob<J> {
  job: J;
  weight: number;
}

/** Run the jobs in one transaction; return one value per job, in order, or throw for the whole group. */
export type GroupRunner<J> = (key: string, jobs: readonly J[]) => Promise<unknown[]>;

export interface GroupLimits {
  /** Stop gathering once the group holds this much weight (alerts), to keep each transaction short; asked per group. */
  maxWeight: number | (() => number);
  maxJobs: number;
  /**
   * After a group of several jobs commits, wait at most this long for as many new jobs as it answered
   * (its senders' next requests) before taking the next group; 0: take what is queued at once.
   */
  regatherMs?: number;
}

interface Waiting<J> extends GroupJob<J> {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** How long a group may wait for more requests to join, while they keep arriving. */
const GATHER_MS = 3;

async function gather(queue: readonly unknown[]): Promise<void> {
  const until = performance.now() + GATHER_MS;
  for (let seen = -1; queue.length !== seen && performance.now() < until; ) {
    seen = queue.length;
    await yieldToLoop();
  }
}

export function createGroupCommit<J>(runGroup: GroupRunner<J>, limits: GroupLimits) {
  const queues = new Map<string, Waiting<J>[]>();
  /** Transactions run, jobs they held, and jobs run again alone after their group failed. */
  const stats = { groups: 0, jobs: 0, alone: 0 };

  function take(queue: Waiting<J>[]): Waiting<J>[] {
    const group: Waiting<J>[] = [];
    const max = typeof limits.maxWeight === 'function' ? limits.maxWeight() : limits.maxWeight;
    let weight = 0;
    while (queue.length > 0 && group.length < limits.maxJobs) {
      const next = queue[0];
      if (group.length > 0 && weight + next.weight > max) break;
      group.push(queue.shift()!);
      weight += next.weight;
    }
    return group;
  }

  async function settle(key: string, group: Waiting<J>[]) {
    stats.groups++;
    stats.jobs += group.length;
    try {
      const values = await runGroup(
        key,
        group.map((g) => g.job),
      );
      group.forEach((g, i) => g.resolve(values[i]));
    } catch (e) {
      if (group.length === 1) return group[0].reject(e);
      // Someone's job failed the shared transaction: nothing of the group was committed. Alone, in
      // arrival order (correlation sees the same order), each job gets its own answer.
      for (const g of group) {
        stats.alone++;
        try {
          g.resolve((await runGroup(key, [g.job]))[0]);
        } catch (err) {
          g.reject(err);
        }
      }
    }
  }

  /** Resolvers waiting, per key, for the queue to reach a length (see `regather`). */
  const waiters = new Map<string, { length: number; done: () => void }>();

  /**
   * Senders that wait for each answer (a closed loop, as Alertmanager's per-group notifications are) come
   * back right after a commit. Taking at once what queued meanwhile made groups alternate between those
   * who arrived during the commit and those it answered, each about half the senders; waiting briefly for
   * the answered ones keeps a group of all of them.
   */
  function regather(key: string, queue: Waiting<J>[], answered: number, ms: number): Promise<void> {
    const length = Math.min(limits.maxJobs, queue.length + answered);
    if (queue.length >= length) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.set(key, { length, done });
    });
  }

  async function drain(key: string, queue: Waiting<J>[]) {
    try {
      // Gather first: turns of the event loop while requests keep arriving (read from their sockets), for at
      // most GATHER_MS. better-sqlite3 commits synchronously, so on SQLite nothing joins *during* a commit.
      await gather(queue);
      while (queue.length > 0) {
        const group = take(queue);
        await settle(key, group);
        if (limits.regatherMs && group.length > 1) await regather(key, queue, group.length, limits.regatherMs);
      }
    } finally {
      queues.delete(key);
    }
  }

  return {
    submit(key: string, job: J, weight = 1): Promise<unknown> {
      return new Promise((resolve, reject) => {
        let queue = queues.get(key);
        const idle = !queue;
        if (!queue) queues.set(key, (queue = []));
        queue.push({ job, weight, resolve, reject });
        if (idle) void drain(key, queue);
        const w = waiters.get(key);
        if (w && queue.length >= w.length) w.done();
      });
    },
    stats: () => ({ ...stats, busyKeys: queues.size }),
  };
}
