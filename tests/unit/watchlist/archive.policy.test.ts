import { describe, expect, it } from 'vitest';
import { archiveStep, closedAt, noticeLeadMs, plannedArchiveAt } from '../../../src/watchlist/archive.policy';

const H = 3_600_000;
const closed = '2025-03-03T10:00:00.000Z';
const at = (h: number) => new Date(Date.parse(closed) + h * H);
const resolved = { status: 'RESOLVED', resolvedAt: closed, cancelledAt: null };

describe('archive policy', () => {
  it('open incidents and a zero grace period never archive', () => {
    expect(archiveStep({ status: 'INVESTIGATING', resolvedAt: null }, 24 * H, at(100))).toBeUndefined();
    expect(archiveStep(resolved, 0, at(100))).toBeUndefined();
    expect(closedAt({ status: 'CANCELLED', cancelledAt: closed })).toBe(closed);
  });
  it('notice an hour before, archive after the grace period', () => {
    expect(archiveStep(resolved, 24 * H, at(22.9))).toBeUndefined();
    expect(archiveStep(resolved, 24 * H, at(23))?.step).toBe('notice');
    expect(archiveStep(resolved, 24 * H, at(23.5), at(23).toISOString())).toBeUndefined();
    expect(archiveStep(resolved, 24 * H, at(24), at(23).toISOString())).toMatchObject({ step: 'archive', closedAt: closed });
  });
  it('a short grace period gives half of it as notice', () => {
    expect(noticeLeadMs(H)).toBe(H / 2);
    expect(archiveStep(resolved, H, at(0.5))?.step).toBe('notice');
  });
  it('after downtime the notice still comes first, and the archive waits its lead time', () => {
    const late = at(30);
    expect(archiveStep(resolved, 24 * H, late)?.step).toBe('notice');
    expect(plannedArchiveAt(closed, 24 * H, late)).toBe(at(31).toISOString());
    expect(archiveStep(resolved, 24 * H, at(30.5), late.toISOString())).toBeUndefined();
    expect(archiveStep(resolved, 24 * H, at(31), late.toISOString())?.step).toBe('archive');
  });
});
