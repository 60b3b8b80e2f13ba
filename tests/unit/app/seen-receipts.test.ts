import { describe, expect, it } from 'vitest';
import { createSeenReceipts } from '../../../src/app/seen-receipts';

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
});
