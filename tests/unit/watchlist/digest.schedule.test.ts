import { describe, expect, it } from 'vitest';
import { cronProblem, firesAt, nextRuns } from '../../../src/watchlist/digest.schedule';

describe('digest schedule', () => {
  it('accepts five-field expressions only', () => {
    expect(cronProblem('0 9 * * 1-5')).toBeUndefined();
    expect(cronProblem('*/15 * * * *')).toBeUndefined();
    expect(cronProblem('0 0 9 * * 1-5')).toMatch(/five fields/);
    expect(cronProblem('61 9 * * *')).toMatch(/not a valid cron/);
    expect(cronProblem('every morning')).toMatch(/five fields/);
  });
  it('fires in the schedule time zone, for the whole minute', () => {
    // 09:00 in Berlin is 08:00 UTC in winter, 07:00 UTC in summer.
    expect(firesAt('0 9 * * 1-5', 'Europe/Berlin', new Date('2025-03-03T08:00:00Z'))).toBe(true);
    expect(firesAt('0 9 * * 1-5', 'Europe/Berlin', new Date('2025-03-03T08:00:42Z'))).toBe(true);
    expect(firesAt('0 9 * * 1-5', 'Europe/Berlin', new Date('2025-03-03T09:00:00Z'))).toBe(false);
    expect(firesAt('0 9 * * 1-5', 'Europe/Berlin', new Date('2025-07-07T07:00:00Z'))).toBe(true);
    expect(firesAt('0 9 * * 1-5', 'Europe/Berlin', new Date('2025-03-08T08:00:00Z'))).toBe(false); // Saturday
    expect(firesAt('0 9 * * 1-5', 'UTC', new Date('2025-03-03T09:01:00Z'))).toBe(false);
    expect(firesAt('bad', 'UTC', new Date('2025-03-03T09:00:00Z'))).toBe(false);
  });
  it('finds the next run', () => {
    expect(nextRuns('0 9 * * 1-5', 'UTC', new Date('2025-03-07T09:00:00Z'), 2).map((d) => d.toISOString())).toEqual(['2025-03-10T09:00:00.000Z', '2025-03-11T09:00:00.000Z']);
  });
});
