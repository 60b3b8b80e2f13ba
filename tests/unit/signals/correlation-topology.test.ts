import { describe, expect, it } from 'vitest';
import { dependencyGraph } from '../../../src/catalog/catalog.graph';
import { correlate, SERVICE_WINDOW_MS, toSignalRef, type CorrelationCandidate } from '../../../src/signals/correlation';
import { evaluateRisk } from '../../../src/signals/risk.evaluator';
import type { Signal } from '../../../src/signals/signal.types';

const NOW = '2026-12-02T08:00:00.000Z';
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();
const graph = dependencyGraph([
  { from: 'checkout', to: 'payments' },
  { from: 'payments', to: 'ledger' },
  { from: 'search', to: 'ledger' },
]);
const topology = { graph, depth: 1 };

const signal = (over: Partial<Signal> = {}): Signal => ({
  orgId: 'T1',
  serviceName: 'payments',
  environment: 'prod',
  status: 'firing',
  source: 'alertmanager',
  title: 'Payments 5xx',
  severity: 'critical',
  startsAt: NOW,
  fingerprint: 'fp-pay',
  raw: {},
  ...over,
});
const incident = (over: Partial<CorrelationCandidate> & { incidentId: string }): CorrelationCandidate => ({
  status: 'INVESTIGATING',
  service: 'checkout',
  environment: 'prod',
  correlationKeys: [],
  traceIds: [],
  lastSignalAt: ago(60_000),
  ...over,
});
const policy = { autoDeclare: 'breached' as const, topology };

describe('topology correlation', () => {
  it('joins the open incident of a service that depends on it, saying so', () => {
    const d = correlate(signal(), [incident({ incidentId: 'inc-checkout' })], NOW, policy);
    expect(d).toEqual({
      kind: 'attach',
      incidentId: 'inc-checkout',
      by: 'topology',
      correlation: {
        rule: 'topology',
        reason: 'checkout depends on payments',
        evidence: {
          service: 'payments',
          environment: 'prod',
          incidentService: 'checkout',
          path: ['checkout', 'payments'],
          depth: 1,
          windowMs: SERVICE_WINDOW_MS,
          sinceLastActivityMs: 60_000,
        },
      },
    });
  });

  it('works the other way round (a dependant alerts while its dependency has the incident)', () => {
    const d = correlate(
      signal({ serviceName: 'checkout' }),
      [incident({ incidentId: 'inc-pay', service: 'payments' })],
      NOW,
      policy,
    );
    expect(d).toMatchObject({
      kind: 'attach',
      incidentId: 'inc-pay',
      by: 'topology',
      correlation: { reason: 'checkout depends on payments' },
    });
  });

  it('comes after key, trace, fingerprint and same service', () => {
    const topo = incident({ incidentId: 'inc-topo' });
    const same = incident({ incidentId: 'inc-same', service: 'payments', lastSignalAt: ago(4 * 60_000) });
    const keyed = incident({
      incidentId: 'inc-key',
      service: 'elsewhere',
      correlationKeys: ['k'],
      lastSignalAt: ago(86_400_000),
    });
    expect(correlate(signal(), [topo, same], NOW, policy)).toMatchObject({
      incidentId: 'inc-same',
      by: 'service_window',
    });
    expect(correlate(signal({ correlationKey: 'k' }), [topo, same, keyed], NOW, policy)).toMatchObject({
      incidentId: 'inc-key',
      by: 'correlation_key',
    });
  });

  it('needs the same environment, recent activity, an open incident and the depth', () => {
    const cases: CorrelationCandidate[] = [
      incident({ incidentId: 'staging', environment: 'staging' }),
      incident({ incidentId: 'stale', lastSignalAt: ago(SERVICE_WINDOW_MS + 1) }),
      incident({ incidentId: 'closed', status: 'RESOLVED' }),
      incident({ incidentId: 'sibling', service: 'search' }),
    ];
    for (const c of cases)
      expect(correlate(signal(), [c], NOW, policy), c.incidentId).toMatchObject({ kind: 'declare' });
    // Exactly at the window's edge still joins; an incident without signals counts from its last change.
    expect(
      correlate(signal(), [incident({ incidentId: 'edge', lastSignalAt: ago(SERVICE_WINDOW_MS) })], NOW, policy),
    ).toMatchObject({ kind: 'attach' });
    const manual = incident({ incidentId: 'manual', lastSignalAt: undefined, updatedAt: ago(30_000) });
    expect(correlate(signal(), [manual], NOW, policy)).toMatchObject({ kind: 'attach', incidentId: 'manual' });
    const idle = incident({ incidentId: 'idle', lastSignalAt: undefined, updatedAt: ago(3_600_000) });
    expect(correlate(signal(), [idle], NOW, policy)).toMatchObject({ kind: 'declare' });
    // ledger is two hops from checkout.
    const far = signal({ serviceName: 'ledger' });
    expect(correlate(far, [incident({ incidentId: 'two-hops' })], NOW, policy)).toMatchObject({ kind: 'declare' });
    expect(
      correlate(far, [incident({ incidentId: 'two-hops' })], NOW, { ...policy, topology: { graph, depth: 2 } }),
    ).toMatchObject({
      kind: 'attach',
      correlation: {
        reason: 'checkout depends on ledger via payments',
        evidence: { path: ['checkout', 'payments', 'ledger'], depth: 2 },
      },
    });
  });

  it('is off without a topology policy (CORRELATION_TOPOLOGY=off or no catalog)', () => {
    expect(
      correlate(signal(), [incident({ incidentId: 'inc-checkout' })], NOW, { autoDeclare: 'breached' }),
    ).toMatchObject({ kind: 'declare' });
  });

  it('prefers the nearest connected incident, then the most recent', () => {
    const deep = { graph, depth: 2 };
    const near = incident({ incidentId: 'near', service: 'payments', lastSignalAt: ago(240_000) });
    const farther = incident({ incidentId: 'farther', service: 'checkout', lastSignalAt: ago(10_000) });
    expect(
      correlate(signal({ serviceName: 'ledger' }), [farther, near], NOW, { ...policy, topology: deep }),
    ).toMatchObject({ incidentId: 'near' });
    const a = incident({ incidentId: 'a', lastSignalAt: ago(200_000) });
    const b = incident({ incidentId: 'b', lastSignalAt: ago(20_000) });
    expect(correlate(signal(), [a, b], NOW, policy)).toMatchObject({ incidentId: 'b' });
  });
});

describe('every decision explains itself', () => {
  it('names the rule and the evidence for key, trace, fingerprint and service', () => {
    const c = incident({
      incidentId: 'i',
      service: 'payments',
      correlationKeys: ['order-7'],
      traceIds: ['4bf92f35'],
      fingerprints: ['fp-old'],
    });
    expect(correlate(signal({ fingerprint: 'fp-old' }), [c], NOW, policy)).toMatchObject({
      correlation: { rule: 'fingerprint', evidence: { fingerprint: 'fp-old' } },
    });
    expect(correlate(signal({ correlationKey: 'order-7' }), [c], NOW, policy)).toMatchObject({
      correlation: {
        rule: 'correlation_key',
        reason: 'same correlation key "order-7"',
        evidence: { correlationKey: 'order-7' },
      },
    });
    expect(correlate(signal({ traceId: '4bf92f35' }), [c], NOW, policy)).toMatchObject({
      correlation: { rule: 'trace_id', reason: 'same trace id 4bf92f35' },
    });
    expect(correlate(signal(), [c], NOW, policy)).toMatchObject({
      correlation: {
        rule: 'service_window',
        reason: 'same service payments (prod), last signal 1 min ago',
        evidence: { windowMs: SERVICE_WINDOW_MS, sinceLastActivityMs: 60_000 },
      },
    });
  });

  it('an auto-declare records the risk reasons; a none says why nothing happened', () => {
    const breached = signal({ metrics: { errorRate: 0.2 } });
    expect(correlate(breached, [], NOW, policy)).toMatchObject({
      kind: 'declare',
      correlation: { rule: 'auto_declare', evidence: { risk: 'BREACHED', reasons: ['error rate 20% ≥ critical 5%'] } },
    });
    expect(correlate(signal({ severity: 'warning' }), [], NOW, policy)).toEqual({
      kind: 'none',
      reason: 'AT_RISK, not BREACHED: kept on the watchlist, no incident opened',
    });
    expect(correlate(signal({ status: 'resolved' }), [], NOW, policy)).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/resolved/),
    });
    expect(correlate(signal(), [], NOW, { autoDeclare: 'off' })).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/AUTO_DECLARE is off/),
    });
  });

  it('the explanation travels on the SignalRef (and older refs simply lack it)', () => {
    const s = signal();
    const d = correlate(s, [incident({ incidentId: 'i' })], NOW, policy);
    const ref = toSignalRef(s, evaluateRisk(s), 'sig-1', d.kind === 'attach' ? d.correlation : undefined);
    expect(ref.correlation).toMatchObject({ rule: 'topology', reason: 'checkout depends on payments' });
    expect('correlation' in toSignalRef(s, evaluateRisk(s), 'sig-2')).toBe(false);
  });
});
