import { describe, expect, it } from 'vitest';
import { createSummaryPacer, pacedEdits, summaryKey } from '../../../src/adapters/slack/delivery/edit-pacing';
import { initialState } from '../../../src/incidents/incident.types';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 3, 10, 0, 0) + ms);
const iso = (ms: number) => at(ms).toISOString();

describe('people-caused summary pacing', () => {
  it('edits at once, folds changes inside the interval into one trailing edit, then edits at once again', () => {
    const p = createSummaryPacer(1_000);
    expect(p.notBefore('i1', at(0))).toBeUndefined();
    expect(p.notBefore('i1', at(100))).toBe(iso(1_000));
    expect(p.notBefore('i1', at(900))).toBe(iso(1_000)); // same trailing edit: one pending row
    // After the trailing edit ran, a change within its interval waits for the next slot.
    expect(p.notBefore('i1', at(1_200))).toBe(iso(2_000));
    expect(p.notBefore('i1', at(3_500))).toBeUndefined();
    expect(p.notBefore('i1', at(4_499))).toBe(iso(4_500));
  });

  it('paces each incident on its own', () => {
    const p = createSummaryPacer(1_000);
    expect(p.notBefore('i1', at(0))).toBeUndefined();
    expect(p.notBefore('i2', at(10))).toBeUndefined();
    expect(p.notBefore('i1', at(20))).toBe(iso(1_000));
    expect(p.notBefore('i2', at(30))).toBe(iso(1_010));
  });

  it('forgets the least recently edited incidents beyond its bound, which then edit at once', () => {
    const p = createSummaryPacer(60_000);
    for (let i = 0; i <= 10_000; i++) expect(p.notBefore(`i${i}`, at(i))).toBeUndefined();
    expect(p.notBefore('i0', at(20_000))).toBeUndefined(); // forgotten: the 10,001st pushed it out
    expect(p.notBefore('i10000', at(20_000))).toBe(iso(70_000));
  });

  it('pacedEdits: a paced change schedules its summary row for the trailing edge under the same dedupe key', () => {
    const p = createSummaryPacer(1_000);
    const before = { ...initialState('inc1', 'T1'), exists: true };
    const asked = { summaryNow: true, summarySoon: false, rollup: false };
    const [first] = pacedEdits(before, before, at(0), asked, p);
    const [second] = pacedEdits(before, before, at(300), asked, p);
    expect(first).toMatchObject({ kind: 'incident.sync_summary', dedupeKey: summaryKey('inc1') });
    expect(first.notBefore).toBeUndefined();
    expect(second).toMatchObject({ kind: 'incident.sync_summary', dedupeKey: summaryKey('inc1'), notBefore: iso(1_000) });
    // Without a pacer every change edits at once (the planner's default, and round 1's behaviour).
    expect(pacedEdits(before, before, at(300), asked)[0].notBefore).toBeUndefined();
  });
});
