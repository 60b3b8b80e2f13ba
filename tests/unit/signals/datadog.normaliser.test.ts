import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/shared/domain-error';
import { severityFromSignal } from '../../../src/signals/correlation';
import { normalise } from '../../../src/signals/normalisers';
import { DATADOG_PAYLOAD_TEMPLATE, DatadogWebhookSchema, parseTags } from '../../../src/signals/normalisers/datadog.normaliser';
import { evaluateRisk } from '../../../src/signals/risk.evaluator';
import { SignalSchema } from '../../../src/signals/signal.types';

const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/datadog/${name}`, import.meta.url), 'utf8'));
const ctx = { orgId: 'org-1' };
const one = (body: unknown, c: Parameters<typeof normalise>[2] = ctx) => {
  const r = normalise('datadog', body, c);
  expect(r.signals).toHaveLength(1);
  return { signal: r.signals[0]!, warnings: r.warnings };
};

describe('Datadog webhook', () => {
  it('maps a Triggered notification', () => {
    const b = fixture('triggered.json');
    const { signal, warnings } = one(b);
    expect(warnings).toEqual([]);
    expect(signal).toMatchObject({
      orgId: 'org-1',
      serviceName: 'checkout',
      environment: 'prod',
      metrics: { errorRate: 0.072 },
      status: 'firing',
      source: 'datadog',
      title: 'Checkout 5xx error rate is high',
      severity: 'P2',
      startsAt: '2026-11-21T23:30:00.000Z',
      fingerprint: '148275309{env:prod,service:checkout}',
      groupKey: '9bd4ac313a4d1e8fae2482df7b77628a',
      raw: b,
    });
    expect(signal.endsAt).toBeUndefined();
    expect(signal.logs?.map((l) => l.level)).toEqual(['error', 'error']);
    expect(signal.logs?.[1]?.message).toBe(b.alert_status);
    expect(SignalSchema.safeParse(signal).success).toBe(true);
    const risk = evaluateRisk(signal);
    expect(risk.level).toBe('BREACHED');
    expect(severityFromSignal(signal, risk)).toBe('SEV2');
  });

  it('maps Recovered to resolved with the same fingerprint, whatever the scope spacing', () => {
    const trig = one(fixture('triggered.json')).signal;
    const { signal } = one(fixture('recovered.json'));
    expect(signal).toMatchObject({
      status: 'resolved',
      fingerprint: trig.fingerprint,
      startsAt: '2026-11-21T23:41:00.000Z',
      endsAt: '2026-11-21T23:41:00.000Z',
    });
    expect(evaluateRisk(signal).level).toBe('CLEARED');
  });

  it.each([
    ['Triggered', 'firing', 'P2'],
    ['Re-Triggered', 'firing', 'P2'],
    ['Renotify', 'firing', 'P2'],
    ['Warn', 'firing', 'warning'],
    ['Re-Warn', 'firing', 'warning'],
    ['No Data', 'firing', 'warning'],
    ['Re-No Data', 'firing', 'warning'],
    ['Recovered', 'resolved', 'P2'],
  ])('transition %s → %s, severity %s', (transition, status, severity) => {
    const { signal } = one({ ...fixture('triggered.json'), transition });
    expect(signal.status).toBe(status);
    expect(signal.severity).toBe(severity);
  });

  it('treats an unknown transition as firing, with a warning', () => {
    const { signal, warnings } = one({ ...fixture('triggered.json'), transition: 'Muted' });
    expect(signal.status).toBe('firing');
    expect(warnings).toEqual(['unrecognised transition "Muted"; treated as firing']);
  });

  it('treats unsubstituted and empty variables as absent', () => {
    const { signal } = one({
      ...fixture('triggered.json'),
      priority: '',
      aggreg_key: '$AGGREG_KEY',
      scope: '$ALERT_SCOPE',
      tags: 'service:cart,env:staging,monitor',
    });
    expect(signal.severity).toBe('error'); // from $ALERT_TYPE when there is no priority
    expect(signal.groupKey).toBeUndefined();
    expect(signal).toMatchObject({ serviceName: 'cart', environment: 'staging', fingerprint: '148275309{*}' });
  });

  it('falls back to a per-monitor service name, with a warning', () => {
    const { signal, warnings } = one({ ...fixture('triggered.json'), scope: 'host:web-1', tags: 'monitor' });
    expect(signal.serviceName).toBe('monitor-148275309');
    expect(signal.environment).toBe('default');
    expect(warnings[0]).toMatch(/no service tag/);
  });

  it('reads correlation_key and trace_id tags, and latency/availability from the message', () => {
    const { signal } = one({
      ...fixture('triggered.json'),
      tags: 'service:checkout,env:prod,correlation_key:black-friday,trace_id:abc',
      body: '%%%\nlatency_ms: 1450\navailability=97.1%\n%%%',
    });
    expect(signal).toMatchObject({
      correlationKey: 'black-friday',
      traceId: 'abc',
      metrics: { latencyMs: 1450, availability: 0.971 },
    });
    expect(signal.logs?.[0]?.message).toBe('latency_ms: 1450\navailability=97.1%');
  });

  it('uses last_updated, then the receive time, when $DATE is missing; accepts epoch seconds', () => {
    const noDate = { ...fixture('triggered.json'), date: '$DATE', last_updated: '' };
    expect(one({ ...noDate, last_updated: '1795303860' }).signal.startsAt).toBe('2026-11-21T23:31:00.000Z');
    expect(one(noDate, { orgId: 'org-1', receivedAt: '2026-11-21T23:32:00Z' }).signal.startsAt).toBe(
      '2026-11-21T23:32:00.000Z',
    );
    expect(() => normalise('datadog', noDate, ctx)).toThrow(/date: required/);
  });

  it('lists every missing required field', () => {
    try {
      normalise('datadog', { title: 'x', date: 'soon' }, ctx);
      throw new Error('expected DomainError');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      const reason = (e as DomainError).reason;
      expect(reason).toMatch(/^Datadog payload is invalid: /);
      expect(reason).toContain('alert_id:');
      expect(reason).toContain('transition:');
      expect(reason).toContain('date: not an RFC 3339 timestamp or epoch');
    }
    expect(() => normalise('datadog', { ...fixture('triggered.json'), alert_id: '$ALERT_ID' }, ctx)).toThrow(
      /alert_id: required, but Datadog left it empty or unsubstituted/,
    );
  });

  it('reads log samples from log monitors', () => {
    const sample = { columns: ['Time', 'Host'], label: 'Sample Logs', rows: [{ items: [], message: 'GET / 500' }] };
    expect(one({ ...fixture('triggered.json'), logs_sample: sample }).signal.logs?.at(-1)?.message).toBe('GET / 500');
    expect(one({ ...fixture('triggered.json'), logs_sample: JSON.stringify(sample) }).signal.logs).toHaveLength(3);
  });
});

describe('DATADOG_PAYLOAD_TEMPLATE', () => {
  it('is valid JSON whose every field the normaliser reads, each a Datadog $VARIABLE', () => {
    const template = JSON.parse(DATADOG_PAYLOAD_TEMPLATE) as Record<string, string>;
    const known = Object.keys(DatadogWebhookSchema.shape);
    for (const [key, value] of Object.entries(template)) {
      expect(known).toContain(key);
      expect(value).toMatch(/^\$[A-Z_]+$/);
    }
    expect(template).toMatchObject({
      alert_id: '$ALERT_ID',
      transition: '$ALERT_TRANSITION',
      scope: '$ALERT_SCOPE',
      aggreg_key: '$AGGREG_KEY',
      tags: '$TAGS',
      date: '$DATE',
    });
  });
});

describe('parseTags', () => {
  it('keeps key:value tags, first value wins, bare tags dropped', () => {
    expect(parseTags('monitor, name:myService, role:computing-node, role:other, url:http://x')).toEqual({
      name: 'myService',
      role: 'computing-node',
      url: 'http://x',
    });
    expect(parseTags(undefined)).toEqual({});
  });
});
