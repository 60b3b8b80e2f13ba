import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/shared/domain-error';
import { normalise } from '../../../src/signals/normalisers';
import { parseValueString } from '../../../src/signals/normalisers/grafana.normaliser';
import { evaluateRisk } from '../../../src/signals/risk.evaluator';
import { SignalSchema } from '../../../src/signals/signal.types';

const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/grafana/${name}`, import.meta.url), 'utf8'));
const ctx = { orgId: 'org-7' };

describe('Grafana webhook', () => {
  it('maps a firing group with metrics from ref IDs named error_rate', () => {
    const b = fixture('firing.json');
    const { signals, warnings } = normalise('grafana', b, ctx);
    expect(warnings).toEqual([]);
    expect(signals).toHaveLength(2);
    const [prod, staging] = signals;
    expect(prod).toMatchObject({
      orgId: 'org-7', // the connector's org, not Grafana's orgId 1
      serviceName: 'checkout',
      environment: 'prod',
      metrics: { errorRate: 0.072 },
      status: 'firing',
      source: 'grafana',
      title: 'Checkout 5xx error rate 7.2% in prod',
      severity: 'critical',
      startsAt: '2026-11-21T23:30:00.000Z', // +01:00 normalised to UTC
      fingerprint: 'd1c0a3e7b2f45a19',
      groupKey: b.groupKey,
    });
    expect(prod!.endsAt).toBeUndefined();
    expect(prod!.logs).toEqual([
      { level: 'error', message: b.alerts[0].annotations.description, timestamp: '2026-11-21T23:30:00.000Z' },
    ]);
    expect(staging).toMatchObject({ environment: 'staging', metrics: { errorRate: 0.013 } });
    expect(evaluateRisk(prod!).level).toBe('BREACHED');
    expect(evaluateRisk(staging!).level).toBe('AT_RISK');
    for (const s of signals) expect(SignalSchema.safeParse(s).success).toBe(true);
  });

  it('maps the resolution with the same fingerprint and a real endsAt', () => {
    const firing = normalise('grafana', fixture('firing.json'), ctx).signals[0]!;
    const { signals } = normalise('grafana', fixture('resolved.json'), ctx);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      status: 'resolved',
      fingerprint: firing.fingerprint,
      endsAt: '2026-11-21T23:41:00.000Z',
      metrics: { errorRate: 0.004 },
    });
    expect(evaluateRisk(signals[0]!).level).toBe('CLEARED');
  });

  it('falls back to valueString when values is null (older Grafana)', () => {
    const b = fixture('firing.json');
    b.alerts[0].values = null;
    b.alerts[0].valueString = "[ var='C' labels={} value=1 ], [ var='Latency_MS' labels={service=checkout} value=1350 ]";
    expect(normalise('grafana', b, ctx).signals[0]!.metrics).toEqual({ latencyMs: 1350 });
  });

  it('lets labels and annotations win over values, and ignores unrelated ref IDs', () => {
    const b = fixture('firing.json');
    b.alerts[0].labels.error_rate = '0.2';
    b.alerts[0].values = { error_rate: 0.072, availability: 97.5, B: 3 };
    expect(normalise('grafana', b, ctx).signals[0]!.metrics).toEqual({ errorRate: 0.2, availability: 0.975 });
  });

  it('warns about and skips a value outside the ratio/percent range', () => {
    const b = fixture('firing.json');
    b.alerts[0].values = { error_rate: 250 };
    const { signals, warnings } = normalise('grafana', b, ctx);
    expect(signals[0]!.metrics).toBeUndefined();
    expect(warnings[0]).toMatch(/^alerts\[0\]: values: error_rate ignored/);
  });

  it('reports truncated alerts', () => {
    const b = fixture('firing.json');
    b.truncatedAlerts = 5;
    expect(normalise('grafana', b, ctx).warnings[0]).toMatch(/Grafana left 5 alert\(s\) out/);
  });

  it('lists schema problems', () => {
    const b = fixture('firing.json');
    b.alerts[1].values = { A: 'high' };
    delete b.alerts[0].labels;
    try {
      normalise('grafana', b, ctx);
      throw new Error('expected DomainError');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).reason).toContain('alerts[0].labels:');
      expect((e as DomainError).reason).toContain('alerts[1].values.A:');
    }
  });
});

describe('parseValueString', () => {
  it('reads current and pre-9 formats and skips non-numeric values', () => {
    expect(parseValueString("[ metric='' labels={} value=14151.331895396988 ]")).toEqual({});
    expect(parseValueString("[ metric='error_rate' labels={} value=0.05 ]")).toEqual({ error_rate: 0.05 });
    expect(
      parseValueString("[ var='A' labels={instance=web-1, job=x} value=0.072 ], [ var='B' labels={} value=null ]"),
    ).toEqual({ A: 0.072 });
    expect(parseValueString(undefined)).toEqual({});
  });
});
