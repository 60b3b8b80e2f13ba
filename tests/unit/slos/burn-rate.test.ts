import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  budgetConsumed,
  budgetRemaining,
  burnAlert,
  burnRate,
  evaluateSlo,
  percent,
  sli,
  statusOf,
} from '../../../src/slos/burn-rate';
import type { BurnWindow, SloDefinition, WindowCounts } from '../../../src/slos/slo.types';

const def: SloDefinition = {
  name: 'checkout-availability',
  service: 'checkout',
  environment: 'production',
  target: 0.999,
  windowMs: 28 * 86_400_000,
  windowLabel: '28d',
  indicator: { numerator: 'good', numeratorQuery: 'good', totalQuery: 'total', counter: true },
  file: 'checkout.yaml',
};
const c = (good: number, total: number): WindowCounts => ({ good, total });
const rates = (r: Partial<Record<BurnWindow, number>>): Record<BurnWindow, number> => ({
  '5m': 0,
  '30m': 0,
  '1h': 0,
  '6h': 0,
  '3d': 0,
  ...r,
});

describe('SLI, burn rate and error budget (hand-computed)', () => {
  it('a 99.9 % SLO with 0.1 % errors burns exactly 1× and has spent its whole budget', () => {
    expect(sli(c(999_000, 1_000_000))).toBeCloseTo(0.999, 12);
    expect(burnRate(c(999_000, 1_000_000), 0.999)).toBeCloseTo(1, 9);
    expect(budgetRemaining(c(999_000, 1_000_000), 0.999)).toBeCloseTo(0, 9);
  });

  it('250 errors in a million: 0.25× burn, 75 % of the budget left', () => {
    expect(burnRate(c(999_750, 1_000_000), 0.999)).toBeCloseTo(0.25, 9);
    expect(budgetRemaining(c(999_750, 1_000_000), 0.999)).toBeCloseTo(0.75, 9);
  });

  it('5 % errors against a 99.9 % target is a 50× burn; 2 % against 99 % is 2×', () => {
    expect(burnRate(c(950, 1000), 0.999)).toBeCloseTo(50, 9);
    expect(burnRate(c(98, 100), 0.99)).toBeCloseTo(2, 9);
  });

  it('no traffic: no SLI, nothing burned, the whole budget left', () => {
    expect(sli(c(0, 0))).toBeUndefined();
    expect(burnRate(c(0, 0), 0.999)).toBe(0);
    expect(budgetRemaining(c(0, 0), 0.999)).toBe(1);
  });

  it('an overspent budget is negative: 3 ‰ errors on 99.9 % leaves −200 %', () => {
    expect(budgetRemaining(c(997, 1000), 0.999)).toBeCloseTo(-2, 9);
  });
});

describe('multi-window, multi-burn-rate alerts (SRE Workbook)', () => {
  it('pages on 14.4× over 1h AND 5m', () => {
    expect(burnAlert(rates({ '1h': 15, '5m': 20 })).alert).toBe('page');
    expect(burnAlert(rates({ '1h': 15, '5m': 20 })).reason).toContain('over 1h');
  });
  it('does not page when only the long window burns (the burn has stopped)', () => {
    expect(burnAlert(rates({ '1h': 15, '5m': 3 })).alert).toBe('none');
  });
  it('exactly 14.4× is not above 14.4×', () => {
    expect(burnAlert(rates({ '1h': 14.4, '5m': 14.4 })).alert).toBe('none');
  });
  it('pages on 6× over 6h AND 30m', () => {
    const d = burnAlert(rates({ '6h': 7, '30m': 8 }));
    expect(d.alert).toBe('page');
    expect(d.reason).toContain('over 6h');
  });
  it('tickets on 1× over 3d AND 6h', () => {
    expect(burnAlert(rates({ '3d': 1.5, '6h': 2 })).alert).toBe('ticket');
    expect(burnAlert(rates({ '3d': 0.9, '6h': 2 })).alert).toBe('none');
  });
  it('page wins over ticket', () => {
    expect(burnAlert(rates({ '3d': 2, '6h': 8, '30m': 9 })).alert).toBe('page');
  });
});

describe('evaluateSlo', () => {
  const at = new Date('2026-12-03T10:00:00Z');
  it('turns counts into a breached evaluation with every burn rate', () => {
    const e = evaluateSlo(
      def,
      {
        window: c(9_999_050, 10_000_000), // 950 bad of 1e7 = 0.0095 % → 0.095× → budget 0.905
        burn: {
          '5m': c(4750, 5000), // 5 % → 50×
          '30m': c(29_000, 30_000),
          '1h': c(58_000, 60_000), // 3.33 % → 33.3×
          '6h': c(359_000, 360_000),
          '3d': c(4_319_000, 4_320_000),
        },
      },
      at,
    );
    expect(e.status).toBe('breached');
    expect(e.alert).toBe('page');
    expect(e.budgetRemaining).toBeCloseTo(0.905, 9);
    expect(e.burnRates?.['5m']).toBeCloseTo(50, 9);
    expect(e.burnRates?.['1h']).toBeCloseTo(33.333, 2);
    expect(e.sli).toBeCloseTo(0.999905, 9);
    expect(e.at).toBe(at.toISOString());
  });

  it('statusOf: page → breached, ticket → at risk, a spent budget → breached, else healthy', () => {
    expect(statusOf('page', 0.5)).toBe('breached');
    expect(statusOf('ticket', 0.5)).toBe('at_risk');
    expect(statusOf('none', 0)).toBe('breached');
    expect(statusOf('none', 0.2)).toBe('healthy');
  });

  it('budget consumed between two evaluations, and its wording', () => {
    expect(budgetConsumed(0.9, 0.52)).toBeCloseTo(0.38, 9);
    expect(budgetConsumed(0.5, 0.6)).toBe(0);
    expect(budgetConsumed(undefined, 0.6)).toBeUndefined();
    expect(percent(0.38)).toBe('38 %');
    expect(percent(0.042)).toBe('4.2 %');
  });
});

describe('properties', () => {
  const counts = fc
    .tuple(fc.integer({ min: 1, max: 1e9 }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([total, share]) => c(Math.floor(total * share), total));
  const target = fc.double({ min: 0.5, max: 0.99999, noNaN: true });

  it('burn rate is never negative and budget left = 1 − burn rate', () => {
    fc.assert(
      fc.property(counts, target, (w, t) => {
        const b = burnRate(w, t);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(budgetRemaining(w, t)).toBeCloseTo(1 - b, 9);
      }),
    );
  });

  it('more errors never burn less', () => {
    fc.assert(
      fc.property(counts, fc.integer({ min: 0, max: 1000 }), target, (w, extra, t) => {
        const worse = c(Math.max(0, w.good - extra), w.total);
        expect(burnRate(worse, t)).toBeGreaterThanOrEqual(burnRate(w, t) - 1e-12);
      }),
    );
  });
});
