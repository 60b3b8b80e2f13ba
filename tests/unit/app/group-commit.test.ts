import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../../src/app/group-commit';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `senders` closed-loop senders (each sends its next job shortly after its answer, as Alertmanager's
 * per-group notifications do) against a group commit whose transaction takes `commitMs`; the sizes of
 * the groups it ran, in order.
 */
async function closedLoop(regatherMs: number, senders = 4, rounds = 6, commitMs = 15, backMs = 2) {
  const sizes: number[] = [];
  const groups = createGroupCommit<number>(
    async (_key, jobs) => {
      sizes.push(jobs.length);
      await sleep(commitMs);
      return jobs.map((j) => j * 10);
    },
    { maxWeight: 100, maxJobs: 64, regatherMs },
  );
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      for (let r = 0; r < rounds; r++) {
        // Staggered first requests: the senders do not start in step.
        await sleep(r === 0 ? s * 4 : backMs);
        expect(await groups.submit('org', s)).toBe(s * 10);
      }
    }),
  );
  return { sizes, stats: groups.stats() };
}

describe('group commit: regathering after a commit', () => {
  it('keeps every closed-loop sender in one group instead of groups alternating between halves', async () => {
    const without = await closedLoop(0);
    const withIt = await closedLoop(10);
    // Without it, the senders a commit answered miss the next group: groups split between them.
    expect(without.sizes.slice(2).some((n) => n < 4)).toBe(true);
    // With it, once the staggered start is over every group holds all four senders.
    expect(withIt.sizes.slice(2).every((n) => n === 4)).toBe(true);
    expect(withIt.stats.groups).toBeLessThan(without.stats.groups);
    expect(withIt.stats.jobs).toBe(24);
  });

  it('waits no longer than regatherMs when the answered senders do not come back, and answers first', async () => {
    const answeredAt: number[] = [];
    const groups = createGroupCommit<number>(async (_k, jobs) => [...jobs], {
      maxWeight: 100,
      maxJobs: 64,
      regatherMs: 30,
    });
    const t0 = performance.now();
    await Promise.all([1, 2].map((j) => groups.submit('org', j).then(() => answeredAt.push(performance.now() - t0))));
    // The answers did not wait for the regather: it runs after they are resolved.
    expect(Math.max(...answeredAt)).toBeLessThan(25);
    expect(groups.stats().busyKeys).toBe(1); // still gathering for the two senders
    const late = await (async () => {
      await sleep(60);
      return groups.stats().busyKeys;
    })();
    expect(late).toBe(0); // gave up after regatherMs: the key is idle again
    // A lone job is not followed by a wait: nothing else is in flight.
    await groups.submit('org', 3);
    await sleep(1);
    expect(groups.stats().busyKeys).toBe(0);
  });

  it('a job that arrives during the wait joins the next group at once when the answered number is back', async () => {
    const sizes: number[] = [];
    const groups = createGroupCommit<number>(
      async (_k, jobs) => {
        sizes.push(jobs.length);
        return [...jobs];
      },
      { maxWeight: 100, maxJobs: 64, regatherMs: 1000 },
    );
    await Promise.all([groups.submit('org', 1), groups.submit('org', 2)]);
    const t0 = performance.now();
    await Promise.all([groups.submit('org', 3), groups.submit('org', 4)]);
    // Both answered senders came back: no waiting out the 1 s.
    expect(performance.now() - t0).toBeLessThan(500);
    expect(sizes).toEqual([2, 2]);
  });
});
