import { describe, expect, it } from 'vitest';
import { absoluteTime, clockTime, duration, minuteSlot, relativeAge, sinceText } from '../../../src/watchlist/time.format';

describe('time formatting', () => {
  const now = new Date('2025-07-01T12:00:00Z');
  it('relative ages', () => {
    expect(relativeAge('2025-07-01T11:59:30Z', now)).toBe('just now');
    expect(relativeAge('2025-07-01T11:15:00Z', now)).toBe('45 min ago');
    expect(relativeAge('2025-07-01T09:55:00Z', now)).toBe('2 h 5 min ago');
    expect(relativeAge('2025-07-01T10:00:00Z', now)).toBe('2 h ago');
    expect(relativeAge('2025-06-28T08:00:00Z', now)).toBe('3 d 4 h ago');
    expect(relativeAge('2025-07-01T12:05:00Z', now)).toBe('just now'); // clock skew never reads as negative
    expect(duration(90 * 60_000)).toBe('1 h 30 min');
  });
  it('absolute times follow the zone, its daylight saving and the year', () => {
    expect(absoluteTime('2025-07-01T12:00:00Z', 'Europe/Berlin', now)).toBe('Tue 1 Jul, 14:00 CEST');
    expect(absoluteTime('2025-01-15T12:00:00Z', 'Europe/Berlin', now)).toBe('Wed 15 Jan, 13:00 CET');
    expect(absoluteTime('2024-12-31T23:30:00Z', 'Asia/Singapore', now)).toBe('Wed, 1 Jan 2025, 07:30 GMT+8');
    expect(absoluteTime('2025-07-01T12:00:00Z', 'Not/AZone', now)).toBe('Tue 1 Jul, 12:00 UTC');
    expect(clockTime('2025-07-01T12:00:05Z', 'America/Los_Angeles')).toBe('05:00:05');
    expect(sinceText('2025-07-01T10:00:00Z', now, 'UTC')).toBe('since Tue 1 Jul, 10:00 UTC (2 h ago)');
  });
  it('slots are whole UTC minutes', () => {
    expect(minuteSlot(new Date('2025-07-01T09:00:59.999Z'))).toBe('2025-07-01T09:00:00.000Z');
  });
});
