import { describe, expect, it } from 'vitest';
import { DEFAULT_REMINDER_INTERVALS, intervalLabel, parseReminderIntervals, reminderDue } from '../../../src/watchlist/reminder.policy';

const MIN = 60_000;
const t0 = '2025-03-03T10:00:00.000Z';
const at = (min: number) => new Date(Date.parse(t0) + min * MIN);
const inc = (o: Partial<{ status: string; severity: string; lastUpdateAt: string | null }> = {}) => ({ status: 'INVESTIGATING', severity: 'SEV1', createdAt: t0, lastUpdateAt: null, ...o });

describe('reminder intervals', () => {
  it('defaults: SEV1 30 min, SEV2 60 min, SEV3 4 h, SEV4 none', () => {
    expect(parseReminderIntervals(undefined)).toEqual({ SEV1: 30 * MIN, SEV2: 60 * MIN, SEV3: 240 * MIN });
    expect(DEFAULT_REMINDER_INTERVALS.SEV4).toBeUndefined();
  });
  it('the given severities replace the defaults; off disables', () => {
    expect(parseReminderIntervals('SEV1=15m, sev4=1d,SEV3=off')).toEqual({ SEV1: 15 * MIN, SEV2: 60 * MIN, SEV4: 24 * 60 * MIN });
    expect(() => parseReminderIntervals('SEV1=soon')).toThrow(/not an interval/);
    expect(() => parseReminderIntervals('SEV9=1h')).toThrow(/SEV1=30m/);
    expect(intervalLabel(240 * MIN)).toBe('4 h');
    expect(intervalLabel(45 * MIN)).toBe('45 min');
  });
});

describe('reminderDue', () => {
  const iv = parseReminderIntervals(undefined);
  it('is due once per interval without an update, keyed by the interval slot', () => {
    expect(reminderDue(inc(), iv, at(29))).toBeUndefined();
    expect(reminderDue(inc(), iv, at(30))?.slot).toBe(at(30).toISOString());
    expect(reminderDue(inc(), iv, at(59))?.slot).toBe(at(30).toISOString());
    expect(reminderDue(inc(), iv, at(61))?.slot).toBe(at(60).toISOString());
  });
  it('counts from the last update', () => {
    const updated = inc({ lastUpdateAt: at(50).toISOString() });
    expect(reminderDue(updated, iv, at(79))).toBeUndefined();
    expect(reminderDue(updated, iv, at(80))?.slot).toBe(at(80).toISOString());
  });
  it('a bot that was down sends one reminder for the latest slot, not every missed one', () => {
    expect(reminderDue(inc(), iv, at(200))?.slot).toBe(at(180).toISOString());
  });
  it('nothing for SEV4, closed incidents, or while snoozed', () => {
    expect(reminderDue(inc({ severity: 'SEV4' }), iv, at(1000))).toBeUndefined();
    expect(reminderDue(inc({ status: 'RESOLVED' }), iv, at(1000))).toBeUndefined();
    expect(reminderDue(inc(), iv, at(40), at(90).toISOString())).toBeUndefined();
    expect(reminderDue(inc(), iv, at(91), at(90).toISOString())?.slot).toBe(at(90).toISOString());
  });
});
