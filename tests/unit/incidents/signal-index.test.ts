import { describe, expect, it } from 'vitest';
import type { AttachedSignal } from '../../../src/incidents/incident.types';
import { firingCount, signalIndex, withSignalAt, withSignalLast } from '../../../src/incidents/signal-index';

const sig = (fingerprint: string, status: 'firing' | 'resolved' = 'firing'): AttachedSignal => ({
  signalId: fingerprint,
  fingerprint,
  service: 'svc',
  environment: 'prod',
  title: fingerprint,
  risk: status === 'firing' ? 'BREACHED' : 'CLEARED',
  status,
  source: 'test',
  attachedAt: '2026-11-21T00:00:00.000Z',
  lastSeenAt: '2026-11-21T00:00:00.000Z',
});

const bruteIndex = (signals: readonly AttachedSignal[], fp: string) => signals.findIndex((s) => s.fingerprint === fp);
const bruteFiring = (signals: readonly AttachedSignal[]) => signals.filter((s) => s.status === 'firing').length;

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function rng(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('signal index', () => {
  it('agrees with a scan along a line of states: appends, re-attaches (moves to the end) and resolutions', () => {
    const rand = rng(7);
    let signals: AttachedSignal[] = [];
    expect(firingCount(signals)).toBe(0);
    for (let step = 0; step < 2000; step++) {
      const fp = `fp-${Math.floor(rand() * 300)}`;
      const i = signalIndex(signals, fp);
      expect(i).toBe(bruteIndex(signals, fp));
      if (i >= 0 && rand() < 0.5) signals = withSignalAt(signals, i, { ...signals[i], status: 'resolved' });
      else signals = withSignalLast(signals, sig(fp));
      expect(firingCount(signals)).toBe(bruteFiring(signals));
    }
    for (let n = 0; n < 320; n++) expect(signalIndex(signals, `fp-${n}`)).toBe(bruteIndex(signals, `fp-${n}`));
  });

  it('stays exact when sibling states are built from one parent (a retried or concurrent command)', () => {
    let parent: AttachedSignal[] = [];
    for (let n = 0; n < 50; n++) parent = withSignalLast(parent, sig(`p${n}`));
    const a = withSignalLast(parent, sig('x'));
    const b = withSignalLast(withSignalLast(parent, sig('y')), sig('x')); // x lands one place further on
    const c = withSignalAt(parent, 10, sig('p10', 'resolved'));
    for (const [s, fps] of [
      [a, ['x', 'y', 'p0', 'p49']],
      [b, ['x', 'y', 'p0', 'p49']],
      [c, ['x', 'y', 'p10', 'p49']],
      [parent, ['x', 'y', 'p25']],
    ] as const) {
      for (const fp of fps) expect(signalIndex(s, fp), `${fp} in a ${s.length}-signal state`).toBe(bruteIndex(s, fp));
      expect(firingCount(s)).toBe(bruteFiring(s));
    }
  });

  it('works on arrays it did not build (states folded from stored events, JSON copies)', () => {
    const copy: AttachedSignal[] = JSON.parse(JSON.stringify([sig('a'), sig('b', 'resolved'), sig('c')]));
    expect(signalIndex(copy, 'c')).toBe(2);
    expect(signalIndex(copy, 'z')).toBe(-1);
    expect(firingCount(copy)).toBe(2);
    const next = withSignalLast(copy, sig('a', 'resolved'));
    expect(next.map((s) => s.fingerprint)).toEqual(['b', 'c', 'a']);
    expect(firingCount(next)).toBe(1);
    expect(copy.map((s) => s.fingerprint)).toEqual(['a', 'b', 'c']); // never mutated
  });
});
