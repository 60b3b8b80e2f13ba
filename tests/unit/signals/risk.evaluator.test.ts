import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/shared/domain-error';
import { parseRatio } from '../../../src/signals/normalisers/normaliser.helpers';
import {
  classifySeverity,
  DEFAULT_THRESHOLDS,
  evaluateRisk,
  resolveThresholds,
  thresholdsFor,
} from '../../../src/signals/risk.evaluator';
import type { LogLine, RiskLevel, Signal, SignalMetrics } from '../../../src/signals/signal.types';

const signal = (over: Partial<Signal> = {}): Signal => ({
  orgId: 'org-1',
  serviceName: 'checkout',
  environment: 'prod',
  status: 'firing',
  source: 'test',
  title: 'something',
  startsAt: '2026-11-21T23:30:00.000Z',
  fingerprint: 'fp',
  raw: {},
  ...over,
});
const withMetrics = (metrics: SignalMetrics) => evaluateRisk(signal({ metrics }));
const ratio = (s: string): number => {
  const p = parseRatio(s);
  if (!p.ok || p.value === undefined) throw new Error(s);
  return p.value;
};
const RANK: Record<RiskLevel, number> = { CLEARED: 0, AT_RISK: 1, BREACHED: 2 };

describe('threshold boundaries', () => {
  it.each([
    [0.0099, 'CLEARED', true],
    [ratio('1%'), 'AT_RISK', false],
    [0.0499, 'AT_RISK', false],
    [ratio('5%'), 'BREACHED', false],
    [0.05, 'BREACHED', false],
  ])('error rate %d → %s (within thresholds: %s)', (errorRate, level, within) => {
    const r = withMetrics({ errorRate });
    expect(r.level).toBe(level);
    expect(r.reasons[0] === 'firing, but every metric is within thresholds').toBe(within);
  });

  it('scores exactly 0.4 at warning and 0.7 at critical', () => {
    expect(withMetrics({ errorRate: 0.01 }).score).toBe(0.4);
    expect(withMetrics({ errorRate: 0.05 }).score).toBe(0.7);
    expect(withMetrics({ latencyMs: 500 }).score).toBe(0.4);
    expect(withMetrics({ latencyMs: 1000 }).score).toBe(0.7);
    expect(withMetrics({ availability: 0.95 }).score).toBe(0.7);
  });

  it.each([
    [499, 'CLEARED', 0.299],
    [500, 'AT_RISK', 0.4],
    [999, 'AT_RISK', 0.699],
    [1000, 'BREACHED', 0.7],
  ])('latency %d ms → %s', (latencyMs, level, score) => {
    expect(withMetrics({ latencyMs })).toMatchObject({ level, score });
  });

  it.each([
    [ratio('99%'), 'CLEARED', 0.3, true],
    [0.9899, 'AT_RISK', 0.401, false],
    [ratio('95%'), 'AT_RISK', 0.7, false],
    [0.9499, 'BREACHED', 0.701, false],
  ])('availability %d → %s', (availability, level, score, within) => {
    const r = withMetrics({ availability });
    expect(r).toMatchObject({ level, score });
    expect(r.reasons[0] === 'firing, but every metric is within thresholds').toBe(within);
  });

  it('clears a firing signal whose metrics are all within thresholds (score at or below 0.3)', () => {
    expect(withMetrics({ errorRate: 0, latencyMs: 0, availability: 1 })).toMatchObject({ level: 'CLEARED', score: 0 });
    expect(withMetrics({ errorRate: 0.005 })).toMatchObject({ level: 'CLEARED', score: 0.15 });
    // The sender's word does not override its own numbers…
    expect(evaluateRisk(signal({ severity: 'critical', metrics: { errorRate: 0.001 } })).level).toBe('CLEARED');
    expect(evaluateRisk(signal({ severity: 'page', metrics: { latencyMs: 120, availability: 0.999 } })).level).toBe('CLEARED');
    // …but one metric past its threshold is enough to keep it at risk.
    expect(evaluateRisk(signal({ metrics: { errorRate: 0.001, latencyMs: 700 } })).level).toBe('AT_RISK');
  });

  it('maps an alert without metrics by its severity label, as before', () => {
    expect(evaluateRisk(signal({ severity: 'critical' }))).toMatchObject({ level: 'BREACHED', score: 0.8 });
    expect(evaluateRisk(signal({ severity: 'warning' }))).toMatchObject({ level: 'AT_RISK', score: 0.5 });
    expect(evaluateRisk(signal({ severity: 'page', metrics: {} }))).toMatchObject({ level: 'BREACHED', score: 0.9 });
  });
});

describe('score', () => {
  const sweep = (values: number[], metric: (v: number) => SignalMetrics) => {
    const results = values.map((v) => withMetrics(metric(v)));
    for (let i = 1; i < results.length; i++) {
      expect(results[i]!.score).toBeGreaterThanOrEqual(results[i - 1]!.score);
      expect(RANK[results[i]!.level]).toBeGreaterThanOrEqual(RANK[results[i - 1]!.level]);
    }
    for (const r of results) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
    return results;
  };

  it('never decreases as error rate rises', () => {
    const r = sweep(Array.from({ length: 1001 }, (_, i) => i / 1000), (errorRate) => ({ errorRate }));
    expect(r.at(-1)!.score).toBeGreaterThan(0.99);
  });

  it('never decreases as latency rises', () => {
    sweep(Array.from({ length: 601 }, (_, i) => i * 10), (latencyMs) => ({ latencyMs }));
  });

  it('never decreases as availability falls', () => {
    sweep(Array.from({ length: 1001 }, (_, i) => 1 - i / 1000), (availability) => ({ availability }));
  });

  it('rises strictly within each band', () => {
    expect(withMetrics({ errorRate: 0.02 }).score).toBeLessThan(withMetrics({ errorRate: 0.03 }).score);
    expect(withMetrics({ errorRate: 0.06 }).score).toBeLessThan(withMetrics({ errorRate: 0.072 }).score);
    expect(withMetrics({ availability: 0.9 }).score).toBeGreaterThan(withMetrics({ availability: 0.94 }).score);
  });

  it('takes the worst metric and lists it first', () => {
    const r = withMetrics({ errorRate: 0.002, latencyMs: 1800, availability: 0.985 });
    expect(r.level).toBe('BREACHED');
    expect(r.reasons[0]).toBe('latency 1800 ms ≥ critical 1000 ms');
    expect(r.reasons).toHaveLength(3);
  });
});

describe('severity fallbacks (no metrics)', () => {
  it.each([
    ['page', 'BREACHED', 0.9],
    ['P1', 'BREACHED', 0.9],
    ['SEV-1', 'BREACHED', 0.9],
    ['critical', 'BREACHED', 0.8],
    ['Critical', 'BREACHED', 0.8],
    ['error', 'BREACHED', 0.8],
    ['P2', 'BREACHED', 0.8],
    ['warning', 'AT_RISK', 0.5],
    ['P3', 'AT_RISK', 0.5],
    ['P4', 'AT_RISK', 0.2],
    ['info', 'AT_RISK', 0.1],
    ['none', 'AT_RISK', 0.1],
    [undefined, 'AT_RISK', 0.1],
    ['bananas', 'AT_RISK', 0.1],
  ])('severity %s → %s %d', (severity, level, score) => {
    expect(evaluateRisk(signal({ severity }))).toMatchObject({ level, score });
  });

  it('explains unknown severities', () => {
    expect(evaluateRisk(signal({ severity: 'bananas' })).reasons[0]).toMatch(/unrecognised severity "bananas"/);
  });

  it('classifies severity words case- and punctuation-insensitively', () => {
    expect(classifySeverity('Sev_1')).toBe('page');
    expect(classifySeverity(' WARN ')).toBe('warning');
    expect(classifySeverity('')).toBe('none');
  });
});

describe('resolved and logs', () => {
  it('clears a resolved signal whatever its metrics or severity', () => {
    expect(evaluateRisk(signal({ status: 'resolved', severity: 'page', metrics: { errorRate: 0.5 } }))).toEqual({
      level: 'CLEARED',
      score: 0,
      logs: [],
      reasons: ['resolved'],
    });
  });

  it('returns the first five log lines in order', () => {
    const logs: LogLine[] = Array.from({ length: 7 }, (_, i) => ({
      level: 'info',
      message: `line ${i}`,
      timestamp: '2026-11-21T23:30:00.000Z',
    }));
    expect(evaluateRisk(signal({ logs })).logs.map((l) => l.message)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  });
});

describe('per-service thresholds', () => {
  it('merges overrides over the defaults', () => {
    expect(evaluateRisk(signal({ metrics: { errorRate: 0.072 } }), { errorRate: { critical: 0.1 } }).level).toBe('AT_RISK');
    expect(evaluateRisk(signal({ metrics: { latencyMs: 300 } }), { latencyMs: { warning: 250 } }).level).toBe('AT_RISK');
    expect(resolveThresholds({ availability: { warning: 0.999 } })).toEqual({
      ...DEFAULT_THRESHOLDS,
      availability: { warning: 0.999, critical: 0.95 },
    });
  });

  it('picks a service’s overrides, falling back to "*"', () => {
    const table = { checkout: { errorRate: { critical: 0.1 } }, '*': { latencyMs: { critical: 2000 } } };
    expect(thresholdsFor({ serviceName: 'checkout' }, table)).toBe(table.checkout);
    expect(thresholdsFor({ serviceName: 'search' }, table)).toBe(table['*']);
    expect(thresholdsFor({ serviceName: 'search' }, undefined)).toBeUndefined();
  });

  it('rejects inconsistent overrides, listing the problems', () => {
    try {
      resolveThresholds({ errorRate: { warning: 0.2, critical: 0.1 }, availability: { warning: 0.9, critical: 0.95 }, latencyMs: { warning: -1 } });
      throw new Error('expected DomainError');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('invalid_input');
      expect((e as DomainError).reason).toBe(
        'risk thresholds are invalid: errorRate: warning must not exceed critical; latencyMs.warning: must be a number between 0 and 9007199254740991; availability: warning must not be below critical',
      );
    }
  });
});
