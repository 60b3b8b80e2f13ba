import { describe, expect, it } from 'vitest';
import {
  parseReplayTime,
  replayFrames,
  replayRange,
  snapshotOf,
  stateAt,
} from '../../../src/incidents/incident.replay';
import { incident } from '../insights/insights.fixture';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const MIN = 60_000;
const log = incident({
  id: 'r1',
  severity: 'SEV2',
  service: 'checkout',
  createdAt: T0,
  by: 'U1',
  steps: [
    [2, 'U2', { type: 'ASSIGNEE_CHANGED', role: 'commander', userId: 'U2' }],
    [5, 'U2', { type: 'STATUS_CHANGED', from: 'OPEN', to: 'INVESTIGATING' }],
    [9, 'U2', { type: 'SEVERITY_UPDATED', from: 'SEV2', to: 'SEV1' }],
    [20, 'U2', { type: 'STATUS_CHANGED', from: 'INVESTIGATING', to: 'RESOLVED' }],
    [25, 'U2', { type: 'STATUS_CHANGED', from: 'RESOLVED', to: 'INVESTIGATING' }],
    [30, 'U2', { type: 'STATUS_CHANGED', from: 'INVESTIGATING', to: 'RESOLVED' }],
    [45, 'U2', { type: 'NOTE_ADDED', text: 'after the fact' }],
  ],
});

describe('timeline replay (pure)', () => {
  it('stateAt folds exactly the events that had happened by t', () => {
    expect(stateAt(log, T0 - 1).exists).toBe(false);
    const declared = stateAt(log, T0);
    expect([declared.status, declared.roles, declared.version]).toEqual(['OPEN', {}, 3]);
    expect(stateAt(log, T0 + 2 * MIN - 1).roles).toEqual({});
    expect(stateAt(log, T0 + 2 * MIN).roles).toEqual({ commander: 'U2' });
    expect(stateAt(log, new Date(T0 + 10 * MIN))).toMatchObject({ status: 'INVESTIGATING', severity: 'SEV1' });
    expect(stateAt(log, new Date(T0 + 27 * MIN).toISOString()).status).toBe('INVESTIGATING');
    expect(stateAt(log, T0 + 30 * MIN).status).toBe('RESOLVED');
  });

  it('each frame is the state at its instant (the last of the events sharing one instant)', () => {
    const frames = replayFrames(log);
    expect(frames.map((f) => f.seq)).toEqual(log.map((e) => e.seq));
    for (const [i, f] of frames.entries()) {
      const sameInstantLater = frames[i + 1]?.at === f.at;
      if (!sameInstantLater) expect(f.snapshot).toEqual(snapshotOf(stateAt(log, f.at)));
    }
  });

  it('runs from the declaration to the last resolution; ?t= takes an ISO instant or seconds, clamped', () => {
    const range = replayRange(log);
    expect(range).toEqual({ start: T0, end: T0 + 30 * MIN });
    expect(parseReplayTime(undefined, range)).toBe(T0);
    expect(parseReplayTime('90', range)).toBe(T0 + 90_000);
    expect(parseReplayTime('99999', range)).toBe(range.end);
    expect(parseReplayTime('2026-11-20T10:05:00Z', range)).toBe(T0 + 5 * MIN);
    expect(parseReplayTime('2026-11-19T10:05:00.000Z', range)).toBe(T0);
    for (const bad of ['yesterday', '-5', '2026-11-20', '10:05']) expect(parseReplayTime(bad, range)).toBeUndefined();
    const open = log.slice(0, 6);
    expect(replayRange(open).end).toBe(T0 + 9 * MIN);
  });
});
