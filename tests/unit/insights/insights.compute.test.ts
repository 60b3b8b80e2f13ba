import { describe, expect, it } from 'vitest';
import { evolve } from '../../../src/incidents/incident.decider';
import { type IncidentEvent, initialState } from '../../../src/incidents/incident.types';
import { computeInsights, isHumanActor } from '../../../src/insights/insights.compute';
import { DEFAULT_SLA_TARGETS } from '../../../src/insights/insights.types';
import { parseSlaTargets } from '../../../src/insights/sla-targets';
import { NOW, fortyIncidents, incident } from './insights.fixture';

const M = 60_000;
const stats = (count: number, medianMin: number | null, p90Min: number | null) => ({
  count,
  medianMs: medianMin === null ? null : medianMin * M,
  p90Ms: p90Min === null ? null : p90Min * M,
});
const admin = { id: 'U1', role: 'admin' as const };
const run = (window: '7d' | '30d' | '90d', incidents = fortyIncidents(), viewer = admin) =>
  computeInsights({ incidents, window, now: NOW, viewer, sla: DEFAULT_SLA_TARGETS });

describe('insights on the 40-incident fixture (expected values worked out by hand; see insights.fixture.ts)', () => {
  const r = run('30d');

  it('counts the window: 38 declared in 30 d (F is older), 2 of them cancelled, 26 resolved, 10 open', () => {
    expect(fortyIncidents()).toHaveLength(40);
    expect(r.from).toBe('2026-11-02T12:00:00.000Z');
    expect(r.totals).toMatchObject({ declared: 38, cancelled: 2, incidents: 36, resolved: 26, open: 10 });
    expect(r.hiddenPrivate).toBe(0);
  });

  it('MTTA over all 31 acknowledged incidents: 16th of the sorted list is 12 min, p90 (28th) is 240 min', () => {
    // Sorted: 1 2 2 3 4 4 5 6 6 7 8 8 9 10 10 | 12 | 14 16 18 20 30 60 90 120 150 180 210 240 270 300 360
    expect(r.totals.mtta).toEqual(stats(31, 12, 240));
  });

  it('MTTM: 26 values, median (120+180)/2 = 150 min, p90 (24th) 600 min; MTTR median (270+300)/2, p90 4000', () => {
    expect(r.totals.mttm).toEqual(stats(26, 150, 600));
    expect(r.totals.mttr).toEqual(stats(26, 285, 4000));
  });

  it('by severity', () => {
    const by = Object.fromEntries(r.bySeverity.map((s) => [s.severity, s]));
    // SEV1 (A): ack 1..10, mitigate 10..100, resolve 30..300 → medians 5.5/55/165, p90 (9th) 9/90/270.
    expect(by.SEV1).toEqual({
      severity: 'SEV1',
      incidents: 10,
      mtta: stats(10, 5.5, 9),
      mttm: stats(10, 55, 90),
      mttr: stats(10, 165, 270),
    });
    // SEV2 (B, B1 raised from SEV3): ack 2..20 → 11 / 18; resolved directly at 60..600 → mitigation = resolution.
    expect(by.SEV2).toEqual({
      severity: 'SEV2',
      incidents: 10,
      mtta: stats(10, 11, 18),
      mttm: stats(10, 330, 540),
      mttr: stats(10, 330, 540),
    });
    // SEV3 (C): acknowledged only for odd i at 30, 90, 150, 210, 270; none mitigated or resolved.
    expect(by.SEV3).toEqual({
      severity: 'SEV3',
      incidents: 10,
      mtta: stats(5, 150, 270),
      mttm: stats(0, null, null),
      mttr: stats(0, null, null),
    });
    // SEV4 (D): ack 60..360 → (180+240)/2, p90 (6th) 360; mitigate 120..720; resolve 1000..6000.
    expect(by.SEV4).toEqual({
      severity: 'SEV4',
      incidents: 6,
      mtta: stats(6, 210, 360),
      mttm: stats(6, 420, 720),
      mttr: stats(6, 3500, 6000),
    });
  });

  it('by service: one group per service, sorted, the cancelled api incidents left out', () => {
    expect(r.byService.map((s) => [s.service, s.incidents, s.mtta.medianMs])).toEqual([
      ['api', 10, 5.5 * M],
      ['db', 10, 11 * M],
      ['queue', 6, 210 * M],
      ['web', 10, 150 * M],
    ]);
  });

  it('incidents per ISO week by (final) severity', () => {
    expect(r.perWeek).toEqual([
      { weekStart: '2026-11-02T00:00:00.000Z', counts: { SEV1: 10, SEV2: 0, SEV3: 0, SEV4: 0 } },
      { weekStart: '2026-11-09T00:00:00.000Z', counts: { SEV1: 0, SEV2: 10, SEV3: 0, SEV4: 0 } },
      { weekStart: '2026-11-16T00:00:00.000Z', counts: { SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 6 } },
      { weekStart: '2026-11-23T00:00:00.000Z', counts: { SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 0 } },
      { weekStart: '2026-11-30T00:00:00.000Z', counts: { SEV1: 0, SEV2: 0, SEV3: 10, SEV4: 0 } },
    ]);
  });

  it('SLA breaches: A9, A10 (resolve > 4 h), B9, B10 (> 8 h), C9 (ack 270 > 240 min) and the 5 unacknowledged C', () => {
    expect(r.sla).toMatchObject({ numerator: 10, denominator: 36, rate: 10 / 36 });
    expect(r.sla.bySeverity.map((s) => [s.severity, s.numerator, s.denominator])).toEqual([
      ['SEV1', 2, 10],
      ['SEV2', 2, 10],
      ['SEV3', 6, 10],
      ['SEV4', 0, 6],
    ]);
  });

  it('postmortems: 7 of the 20 resolved SEV1/SEV2 have a PR (D1 is SEV4); follow-ups: 7 of 20 done', () => {
    expect(r.postmortems).toEqual({ numerator: 7, denominator: 20, rate: 0.35 });
    // A: 5 of 10 done; C: 3 done, C1 reopened → 2 of 10; E (cancelled) not counted.
    expect(r.followUps).toEqual({ numerator: 7, denominator: 20, rate: 0.35 });
  });

  it('rollbacks: requested → completed 12 and 30 min, declaration → completed 112 and 230 min', () => {
    expect(r.rollbacks).toEqual({
      count: 2,
      requestToComplete: stats(2, 21, 30),
      declarationToComplete: stats(2, 171, 230),
    });
  });

  it('7 days holds only the C group; 90 days adds F (acknowledged at 5, resolved at 60 min)', () => {
    const week = run('7d');
    expect(week.totals).toMatchObject({ declared: 10, incidents: 10, resolved: 0 });
    expect(week.rollbacks.count).toBe(0);
    const quarter = run('90d');
    expect(quarter.totals).toMatchObject({ declared: 40, cancelled: 2, incidents: 38, resolved: 28 });
    const sev2 = quarter.bySeverity.find((s) => s.severity === 'SEV2');
    // ack 2..20 plus 5, 5 → 5 5 2 4 6 8 10 12 14 16 18 20 sorted: 2 4 5 5 6 8 | 10 ... median (8+10)/2 = 9.
    expect(sev2?.mtta).toEqual(stats(12, 9, 18));
  });
});

describe('insight rules', () => {
  it('the bot, the CLI, connectors and API tokens are no human acknowledgement', () => {
    for (const a of ['revenant', 'cli', 'connector:abc', 'token:ci', '']) expect(isHumanActor(a)).toBe(false);
    expect(isHumanActor('U123')).toBe(true);
  });

  it('a reopened incident is open again: its old resolution leaves MTTR until it is resolved again', () => {
    const events = incident({
      severity: 'SEV2',
      service: 'x',
      createdAt: NOW.getTime() - 3_600_000,
      by: 'U1',
      steps: [
        [10, 'U1', { type: 'STATUS_CHANGED', from: 'OPEN', to: 'RESOLVED' }],
        [20, 'U1', { type: 'STATUS_CHANGED', from: 'RESOLVED', to: 'INVESTIGATING' }],
      ],
    });
    const r = run('7d', [events]);
    expect(r.totals).toMatchObject({ open: 1, resolved: 0 });
    expect(r.totals.mttr.count).toBe(0);
    expect(r.totals.mttm).toEqual(stats(1, 10, 10));
  });

  it('SLA_TARGETS overrides per severity and names every bad part', () => {
    const t = parseSlaTargets('SEV1=5m/1h, sev3=2h/2d');
    expect(t.SEV1).toEqual({ ackMs: 5 * M, resolveMs: 60 * M });
    expect(t.SEV3).toEqual({ ackMs: 120 * M, resolveMs: 2 * 1440 * M });
    expect(t.SEV2).toEqual(DEFAULT_SLA_TARGETS.SEV2);
    expect(() => parseSlaTargets('SEV1=fast/4h,SEV9=1m/1h')).toThrow(
      /“fast” is not a duration.*“SEV9=1m\/1h” should look like/,
    );
  });
});

// Private incidents come from the privacy feature (INCIDENT_CREATED with `visibility`); until its evolve
// sets the field there is nothing private to hide, and this says so loudly.
const privateCreated = incident({
  severity: 'SEV1',
  service: 'secret',
  createdAt: NOW.getTime() - 3_600_000,
  by: 'U7',
  steps: [],
  extra: { visibility: 'private' } as never,
});
const privacyFolds =
  privateCreated.reduce((s, e: IncidentEvent) => evolve(s, e), initialState('p', 'T1')).visibility === 'private';
if (!privacyFolds) console.warn('[insights] SKIPPED privacy breakdown test: evolve does not set visibility yet');

describe.skipIf(!privacyFolds)('private incidents', () => {
  it('count in the totals for everyone, in breakdowns only for those who may see them', () => {
    const incidents = [privateCreated];
    const outsider = run('7d', incidents, { id: 'U8', role: 'responder' as never });
    expect(outsider.totals.incidents).toBe(1);
    expect(outsider.hiddenPrivate).toBe(1);
    expect(outsider.byService).toEqual([]);
    expect(outsider.bySeverity.find((s) => s.severity === 'SEV1')?.incidents).toBe(0);
    const member = run('7d', incidents, { id: 'U7', role: 'responder' as never });
    expect(member.hiddenPrivate).toBe(0);
    expect(member.byService.map((s) => s.service)).toEqual(['secret']);
  });
});
