import { describe, expect, it } from 'vitest';
import { parseDuration, parseOpenSlo } from '../../../src/slos/openslo.parser';

const inline = `
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
  annotations:
    revenant/environment: prod-eu
spec:
  service: Checkout
  indicator:
    metadata: { name: checkout-ratio }
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: { type: Prometheus, spec: { query: 'sum(http_requests_total{code!~"5.."})' } }
        total:
          metricSource: { type: Prometheus, spec: { query: 'sum(http_requests_total)' } }
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: 99.9 %
      target: 0.999
`;

const byRef = `
apiVersion: openslo/v1
kind: SLI
metadata: { name: payments-errors }
spec:
  ratioMetric:
    bad:
      metricSource: { type: Prometheus, spec: { query: 'sum(rate(payments_errors_total[{{.window}}]))' } }
    total:
      metricSource: { type: Prometheus, spec: { query: 'sum(rate(payments_requests_total[{{.window}}]))' } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: payments-errors, annotations: { revenant/org: T0002 } }
spec:
  service: payments
  indicatorRef: payments-errors
  timeWindow: [{ duration: 4w, isRolling: true }]
  objectives: [{ targetPercent: 99.5 }]
`;

describe('OpenSLO v1 parser', () => {
  it('reads an inline ratio SLI with good/total counters', () => {
    const r = parseOpenSlo([{ file: 'checkout.yaml', text: inline }]);
    expect(r.problems).toEqual([]);
    expect(r.slos).toEqual([
      {
        name: 'checkout-availability',
        displayName: 'Checkout availability',
        description: undefined,
        service: 'checkout',
        environment: 'prod-eu',
        orgId: undefined,
        target: 0.999,
        windowMs: 28 * 86_400_000,
        windowLabel: '28d',
        indicator: {
          numerator: 'good',
          numeratorQuery: 'sum(http_requests_total{code!~"5.."})',
          totalQuery: 'sum(http_requests_total)',
          counter: true,
        },
        file: 'checkout.yaml',
      },
    ]);
  });

  it('resolves indicatorRef to a kind: SLI, bad/total, targetPercent and weeks', () => {
    const r = parseOpenSlo([{ file: 'payments.yaml', text: byRef }]);
    expect(r.problems).toEqual([]);
    expect(r.slos[0]).toMatchObject({
      name: 'payments-errors',
      target: 0.995,
      windowMs: 28 * 86_400_000,
      orgId: 'T0002',
      environment: 'production',
      indicator: { numerator: 'bad', numeratorQuery: 'sum(rate(payments_errors_total[{{.window}}]))' },
    });
  });

  it('the SLI may live in another file', () => {
    const [sli, slo] = byRef.split('---');
    const r = parseOpenSlo([
      { file: 'b-slo.yaml', text: slo },
      { file: 'a-sli.yaml', text: sli },
    ]);
    expect(r.problems).toEqual([]);
    expect(r.slos.map((s) => s.name)).toEqual(['payments-errors']);
  });

  it('reports every bad document and keeps the good ones', () => {
    const r = parseOpenSlo([
      { file: 'good.yaml', text: inline },
      { file: 'broken.yaml', text: 'kind: SLO\n  metadata: [unclosed' },
      { file: 'v2.yaml', text: 'apiVersion: openslo/v2alpha\nkind: SLO\nmetadata: {name: x}\n' },
      {
        file: 'target.yaml',
        text: inline.replace('target: 0.999', 'target: 99.9').replace('checkout-availability', 'bad-target'),
      },
      { file: 'ref.yaml', text: byRef.split('---')[1].replace('payments-errors\nspec', 'orphan\nspec') },
      { file: 'window.yaml', text: inline.replace('28d', 'a month').replace('checkout-availability', 'bad-window') },
      {
        file: 'both.yaml',
        text: byRef.replace('    bad:', '    good:\n      metricSource: { spec: { query: up } }\n    bad:'),
      },
      { file: 'dup.yaml', text: inline },
      { file: 'list.yaml', text: '- 1\n- 2\n' },
    ]);
    expect(r.slos.map((s) => s.name)).toEqual(['checkout-availability']);
    const text = r.problems.map((p) => `${p.file}: ${p.message}`).join('\n');
    expect(text).toContain('broken.yaml: document 1 is not valid YAML');
    expect(text).toContain('v2.yaml: apiVersion must be openslo/v1, got "openslo/v2alpha"');
    expect(text).toContain('target.yaml: SLO: spec.objectives.0.target');
    expect(text).toContain('ref.yaml: indicatorRef "payments-errors" names no kind: SLI document');
    expect(text).toContain('window.yaml: timeWindow duration "a month" is not like 28d');
    expect(text).toContain('both.yaml: SLI: spec.ratioMetric: needs exactly one of good or bad');
    expect(text).toContain('dup.yaml: SLO name "checkout-availability" is already defined in good.yaml');
    expect(text).toContain('list.yaml: document 1 is not a mapping');
  });

  it('durations', () => {
    expect(parseDuration('28d')).toBe(28 * 86_400_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('0d')).toBeUndefined();
    expect(parseDuration('1y')).toBeUndefined();
  });
});
