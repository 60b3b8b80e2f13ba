import { describe, expect, it } from 'vitest';
import { changesBefore, currentVersions, foldAll, foldChange } from '../../../src/changes/change.fold';
import type { ChangeEvent } from '../../../src/changes/change.types';

const base: ChangeEvent = {
  service: 'checkout',
  environment: 'production',
  version: 'v1',
  status: 'queued',
  url: '',
  actor: 'a',
  startedAt: '2026-12-02T09:00:00.000Z',
  statusAt: '2026-12-02T09:00:00.000Z',
  source: 'github',
  externalId: 'deployment:1',
};
const at = (min: number) => new Date(Date.parse('2026-12-02T09:00:00.000Z') + min * 60_000).toISOString();
const ev = (o: Partial<ChangeEvent>): ChangeEvent => ({ ...base, ...o });

describe('change fold', () => {
  it('repeats change nothing; older updates are stale; newer update', () => {
    const state = { status: 'in_progress' as const, statusAt: at(2), seen: ['queued', 'in_progress'] as const };
    expect(foldChange(undefined, base)).toBe('created');
    expect(foldChange({ ...state, seen: [...state.seen] }, ev({ status: 'in_progress', statusAt: at(2) }))).toBe(
      'duplicate',
    );
    expect(foldChange({ ...state, seen: [...state.seen] }, ev({ status: 'success', statusAt: at(5) }))).toBe('updated');
    expect(
      foldChange(
        { status: 'success', statusAt: at(5), seen: ['success'] },
        ev({ status: 'in_progress', statusAt: at(2) }),
      ),
    ).toBe('stale');
    // Same time: terminal wins over in-flight.
    expect(
      foldChange(
        { status: 'in_progress', statusAt: at(2), seen: ['in_progress'] },
        ev({ status: 'success', statusAt: at(2) }),
      ),
    ).toBe('updated');
  });

  it('any delivery order converges on the latest status', () => {
    const stream = [
      ev({}),
      ev({ status: 'in_progress', statusAt: at(1) }),
      ev({ status: 'success', statusAt: at(3), finishedAt: at(3) }),
    ];
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
      [0, 2, 1, 2, 0],
    ];
    for (const o of orders) {
      const folded = [...foldAll(o.map((i) => stream[i])).values()];
      expect(folded).toHaveLength(1);
      expect(folded[0]).toMatchObject({ status: 'success', startedAt: at(0) });
    }
  });

  it("an environment's current version is its last successful deployment; a failed latest is shown", () => {
    const ds = [
      ev({ externalId: 'd1', version: 'v1', status: 'success', statusAt: at(1), finishedAt: at(1) }),
      ev({
        externalId: 'd2',
        version: 'v2',
        status: 'success',
        statusAt: at(10),
        finishedAt: at(10),
        startedAt: at(9),
      }),
      ev({
        externalId: 'd3',
        version: 'v3',
        status: 'failure',
        statusAt: at(20),
        finishedAt: at(20),
        startedAt: at(19),
      }),
      ev({
        externalId: 's1',
        environment: 'staging',
        version: 'v3',
        status: 'success',
        statusAt: at(5),
        finishedAt: at(5),
      }),
    ];
    const cur = currentVersions(ds);
    expect(cur.map((c) => [c.environment, c.version, c.latest?.status])).toEqual([
      ['production', 'v2', 'failure'],
      ['staging', 'v3', undefined],
    ]);
    expect(changesBefore(ds, 'checkout', at(21), 15 * 60_000).map((d) => d.externalId)).toEqual(['d3', 'd2']);
  });
});
