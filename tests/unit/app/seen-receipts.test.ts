import { describe, expect, it } from 'vitest';
import { createRepeatShare, createSeenReceipts } from '../../../src/app/seen-receipts';

describe('seen receipts', () => {
  it('remembers keys per organisation', () => {
    const seen = createSeenReceipts(10);
    seen.add('T1', 'k');
    expect(seen.has('T1', 'k')).toBe(true);
    expect(seen.has('T2', 'k')).toBe(false);
    expect(seen.has('T1', 'other')).toBe(false);
  });

  it('forgets the oldest keys first once full, and stays bounded over many evictions', () => {
    const seen = createSeenReceipts(3);
    for (const k of ['a', 'b', 'c', 'a', 'd']) seen.add('T1', k); // the repeated a does not count twice
    expect(['a', 'b', 'c', 'd'].map((k) => seen.has('T1', k))).toEqual([false, true, true, true]);
    for (let i = 0; i < 1000; i++) seen.add('T1', `x${i}`);
    expect([997, 998, 999].every((i) => seen.has('T1', `x${i}`))).toBe(true);
    expect(seen.has('T1', 'x996')).toBe(false);
    expect(seen.has('T1', 'd')).toBe(false);
  });

  it('looks unknown keys up first while they lately were repeats, and again once repeats come back', () => {
    const share = createRepeatShare(0.25);
    expect(share.lookUpFirst()).toBe(true); // a new process: deliveries from before a restart come back
    share.note(10, 10);
    expect(share.lookUpFirst()).toBe(true);
    share.note(0, 0); // nothing unknown: nothing learnt
    expect(share.share()).toBe(1);
    for (let i = 0; i < 3; i++) share.note(1, 0);
    expect(share.lookUpFirst()).toBe(false); // new alerts: 1 → 0.42
    share.note(4, 4);
    expect(share.lookUpFirst()).toBe(true); // repeats again: 0.42 → 0.57
  });
});
