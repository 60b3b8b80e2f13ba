import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/shared/domain-error';
import { dedupKey } from '../../../src/signals/dedup';
import { normalise } from '../../../src/signals/normalisers';
import { evaluateRisk } from '../../../src/signals/risk.evaluator';
import { SignalSchema, type Signal } from '../../../src/signals/signal.types';

const capture = (name: string): { headers: Record<string, string>; body: any } =>
  JSON.parse(readFileSync(new URL(`../../fixtures/alertmanager/${name}`, import.meta.url), 'utf8'));

const ctx = { orgId: 'org-1' };
const GROUP_KEY = '{}:{alertname="HighErrorRate", service="checkout"}';
const WEB1 = '4bc3bd971766195e';
const WEB2 = '236b3b7ac20fbbb6';

const byFingerprint = (signals: Signal[], fp: string): Signal => {
  const s = signals.find((x) => x.fingerprint === fp);
  if (!s) throw new Error(`no signal ${fp}`);
  return s;
};

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('invalid_input');
    return (e as DomainError).reason;
  }
  throw new Error('expected a DomainError');
}

const alert = (over: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels: { alertname: 'HighLatency', service: 'search', env: 'staging' },
  annotations: {},
  startsAt: '2026-11-21T23:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: 'aaaa000000000001',
  ...over,
});
const body = (alerts: unknown[], over: Record<string, unknown> = {}) => ({
  receiver: 'revenant',
  status: 'firing',
  alerts,
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example:9093',
  version: '4',
  groupKey: '{}:{}',
  truncatedAlerts: 0,
  ...over,
});

describe('Alertmanager captures (0.25.0)', () => {
  it('1: two firing alerts become two firing signals', () => {
    const { body: b } = capture('1-firing-two-alerts.json');
    const { signals, warnings } = normalise('alertmanager', b, ctx);
    expect(warnings).toEqual([]);
    expect(signals).toHaveLength(2);

    const web1 = byFingerprint(signals, WEB1);
    expect(web1).toEqual({
      orgId: 'org-1',
      serviceName: 'checkout',
      environment: 'prod',
      metrics: { errorRate: 0.072 },
      logs: [{ level: 'error', message: 'HTTP 5xx ratio above 5% for 5m', timestamp: '2026-11-21T23:27:00.854Z' }],
      status: 'firing',
      source: 'alertmanager',
      title: '5xx rate 7.2% on web-1',
      severity: 'critical',
      startsAt: '2026-11-21T23:27:00.854Z',
      fingerprint: WEB1,
      groupKey: GROUP_KEY,
      raw: b.alerts[0],
    });
    const web2 = byFingerprint(signals, WEB2);
    expect(web2.status).toBe('firing');
    expect(web2.metrics).toEqual({ errorRate: 0.064 });
    expect(web2.logs).toBeUndefined(); // no description annotation
    expect(web2.endsAt).toBeUndefined(); // 0001-01-01 is "absent"
    for (const s of signals) {
      expect(SignalSchema.safeParse(s).success).toBe(true);
      expect(evaluateRisk(s).level).toBe('BREACHED'); // 7.2 % and 6.4 % ≥ 5 %
    }
  });

  it('2: reads each alert’s own status while the group still says firing', () => {
    const { body: b } = capture('2-partial-resolve.json');
    expect(b.status).toBe('firing');
    const { signals } = normalise('alertmanager', b, ctx);
    const web1 = byFingerprint(signals, WEB1);
    const web2 = byFingerprint(signals, WEB2);
    expect(web1.status).toBe('resolved');
    expect(web1.endsAt).toBe('2026-11-21T23:27:01.000Z');
    expect(evaluateRisk(web1)).toMatchObject({ level: 'CLEARED', score: 0 });
    expect(web2.status).toBe('firing');
    expect(web2.endsAt).toBeUndefined();
    expect(evaluateRisk(web2).level).toBe('BREACHED');
  });

  it('3: the last alert resolves and the fingerprint is stable from firing to resolved', () => {
    const { body: b } = capture('3-resolved.json');
    const { signals } = normalise('alertmanager', b, ctx);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ fingerprint: WEB2, status: 'resolved', endsAt: '2026-11-21T23:27:01.000Z' });
    expect(evaluateRisk(signals[0]!).level).toBe('CLEARED');
  });

  it('dedup: web-2 firing in captures 1 and 2 is one delivery repeated; its resolution is new', () => {
    const [c1, c2, c3] = ['1-firing-two-alerts.json', '2-partial-resolve.json', '3-resolved.json'].map(
      (f) => normalise('alertmanager', capture(f).body, ctx).signals,
    );
    expect(dedupKey(byFingerprint(c1!, WEB2))).toBe(dedupKey(byFingerprint(c2!, WEB2)));
    expect(dedupKey(byFingerprint(c3!, WEB2))).not.toBe(dedupKey(byFingerprint(c2!, WEB2)));
    expect(dedupKey(byFingerprint(c1!, WEB1))).not.toBe(dedupKey(byFingerprint(c2!, WEB1)));
  });
});

describe('Alertmanager payload handling', () => {
  it('reports truncated alerts and an unexpected version as warnings', () => {
    const { warnings } = normalise('alertmanager', body([alert()], { truncatedAlerts: 3, version: '5' }), ctx);
    expect(warnings).toHaveLength(2);
    expect(warnings.join(' ')).toMatch(/version "5"/);
    expect(warnings.join(' ')).toMatch(/3 alert\(s\)/);
  });

  it('lists every schema problem with its path', () => {
    const reason = reasonOf(() =>
      normalise('alertmanager', body([{ status: 'burning', labels: { a: 1 }, startsAt: 'yesterday' }]), ctx),
    );
    expect(reason).toMatch(/^Alertmanager payload is invalid: /);
    expect(reason).toContain('alerts[0].status:');
    expect(reason).toContain('alerts[0].labels.a:');
    expect(reason).toContain('alerts[0].startsAt: not an RFC 3339 timestamp');
    expect(reasonOf(() => normalise('alertmanager', 'nope', ctx))).toContain('(body):');
    expect(reasonOf(() => normalise('alertmanager', { status: 'firing' }, ctx))).toContain('alerts:');
    expect(reasonOf(() => normalise('alertmanager', body([alert({ startsAt: '0001-01-01T00:00:00Z' })]), ctx))).toContain(
      'alerts[0].startsAt: must be a real time',
    );
  });

  it('falls back for service: job, then app, then alertname (with a warning)', () => {
    const svc = (labels: Record<string, string>) => normalise('alertmanager', body([alert({ labels })]), ctx);
    expect(svc({ alertname: 'X', job: 'node-exporter', app: 'web' }).signals[0]!.serviceName).toBe('node-exporter');
    expect(svc({ alertname: 'X', app: 'web' }).signals[0]!.serviceName).toBe('web');
    const r = svc({ alertname: 'DiskFull' });
    expect(r.signals[0]!.serviceName).toBe('DiskFull');
    expect(r.warnings[0]).toMatch(/alerts\[0\]: no service\/job\/app label; using "DiskFull"/);
  });

  it('keeps the environment label as given and defaults to "default"', () => {
    const env = (labels: Record<string, string>) =>
      normalise('alertmanager', body([alert({ labels: { service: 's', ...labels } })]), ctx).signals[0]!.environment;
    expect(env({ env: 'prod' })).toBe('prod');
    expect(env({ environment: 'production' })).toBe('production');
    expect(env({})).toBe('default');
  });

  it('reads metrics, correlation, trace, project and severity conventions', () => {
    const { signals, warnings } = normalise(
      'alertmanager',
      body([
        alert({
          labels: { service: 'search', env: 'prod', priority: 'P3', correlation_key: 'search-slow', project_id: 'proj-9' },
          annotations: { latency: '1.2s', availability: '99.5%', error_rate: 'lots', trace_id: 'abc123', summary: 'Search slow' },
        }),
      ]),
      ctx,
    );
    expect(signals[0]).toMatchObject({
      metrics: { latencyMs: 1200, availability: 0.995 },
      correlationKey: 'search-slow',
      traceId: 'abc123',
      projectId: 'proj-9',
      severity: 'P3',
      title: 'Search slow',
    });
    expect(warnings).toEqual(['alerts[0]: error_rate ignored: not a number: "lots"']);
  });

  it('prefers the connector’s project and source over labels and defaults', () => {
    const { signals } = normalise('alertmanager', body([alert({ labels: { service: 's', project_id: 'p-label' } })]), {
      orgId: 'org-1',
      projectId: 'p-conn',
      source: 'prometheus-eu',
    });
    expect(signals[0]).toMatchObject({ projectId: 'p-conn', source: 'prometheus-eu' });
  });

  it('drops a provisional endsAt on a firing alert', () => {
    const { signals } = normalise('alertmanager', body([alert({ endsAt: '2026-11-21T23:05:00Z' })]), ctx);
    expect(signals[0]!.endsAt).toBeUndefined();
  });

  it('derives a label-order-independent fingerprint when an old Alertmanager sends none', () => {
    const a = normalise('alertmanager', body([alert({ fingerprint: undefined, labels: { b: '2', a: '1' } })]), ctx);
    const b = normalise('alertmanager', body([alert({ fingerprint: undefined, labels: { a: '1', b: '2' } })]), ctx);
    expect(a.signals[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(a.signals[0]!.fingerprint).toBe(b.signals[0]!.fingerprint);
  });

  it('uses alertname when there is no summary, and an empty group yields no signals', () => {
    expect(normalise('alertmanager', body([alert()]), ctx).signals[0]!.title).toBe('HighLatency');
    expect(normalise('alertmanager', body([]), ctx)).toEqual({ signals: [], warnings: [] });
  });
});
