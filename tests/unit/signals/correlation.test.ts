import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/shared/domain-error';
import {
  correlate,
  SERVICE_WINDOW_MS,
  severityFromSignal,
  toSignalRef,
  type CorrelationCandidate,
} from '../../../src/signals/correlation';
import { evaluateRisk } from '../../../src/signals/risk.evaluator';
import type { Signal } from '../../../src/signals/signal.types';

const NOW = '2026-11-21T23:30:00.000Z';
const ago = (ms: number): string => new Date(Date.parse(NOW) - ms).toISOString();

const signal = (over: Partial<Signal> = {}): Signal => ({
  orgId: 'org-1',
  serviceName: 'checkout',
  environment: 'prod',
  status: 'firing',
  source: 'alertmanager',
  title: '5xx rate 7.2% on web-1',
  severity: 'critical',
  metrics: { errorRate: 0.072 },
  correlationKey: 'ck-1',
  traceId: 'trace-1',
  startsAt: NOW,
  fingerprint: 'fp-1',
  raw: {},
  ...over,
});

const candidate = (over: Partial<CorrelationCandidate> & { incidentId: string }): CorrelationCandidate => ({
  status: 'INVESTIGATING',
  correlationKeys: [],
  traceIds: [],
  ...over,
});

const byWindow = candidate({ incidentId: 'inc-window', service: 'checkout', environment: 'prod', lastSignalAt: ago(60_000) });
const byTrace = candidate({ incidentId: 'inc-trace', traceIds: ['trace-1'], lastSignalAt: ago(3_600_000) });
const byKey = candidate({ incidentId: 'inc-key', correlationKeys: ['ck-1'], lastSignalAt: ago(7_200_000) });
const breached = { autoDeclare: 'breached' as const };

describe('correlate: rule order', () => {
  it('correlation key beats trace id beats the service window', () => {
    expect(correlate(signal(), [byWindow, byTrace, byKey], NOW, breached)).toMatchObject({ kind: 'attach', incidentId: 'inc-key', by: 'correlation_key' });
    expect(correlate(signal(), [byWindow, byTrace], NOW, breached)).toMatchObject({ kind: 'attach', incidentId: 'inc-trace', by: 'trace_id' });
    expect(correlate(signal(), [byWindow], NOW, breached)).toMatchObject({ kind: 'attach', incidentId: 'inc-window', by: 'service_window' });
  });

  it('an already-attached fingerprint beats everything', () => {
    const owner = candidate({ incidentId: 'inc-owner', fingerprints: ['fp-1'], lastSignalAt: ago(4 * 3_600_000) });
    expect(correlate(signal(), [byKey, owner], NOW, breached)).toMatchObject({ kind: 'attach', incidentId: 'inc-owner', by: 'fingerprint' });
  });

  it('without a key or trace, only the window applies', () => {
    const bare = signal({ correlationKey: undefined, traceId: undefined });
    expect(correlate(bare, [byKey, byTrace, byWindow], NOW, breached)).toMatchObject({ incidentId: 'inc-window' });
  });

  it('picks the most recently active incident when several match one rule', () => {
    const older = candidate({ incidentId: 'a', correlationKeys: ['ck-1'], lastSignalAt: ago(600_000) });
    const newer = candidate({ incidentId: 'b', correlationKeys: ['ck-1'], lastSignalAt: ago(60_000) });
    const never = candidate({ incidentId: 'c', correlationKeys: ['ck-1'] });
    expect(correlate(signal(), [never, older, newer], NOW, breached)).toMatchObject({ incidentId: 'b' });
    expect(correlate(signal(), [never, candidate({ incidentId: '0', correlationKeys: ['ck-1'] })], NOW, breached)).toMatchObject({ incidentId: '0' });
  });
});

describe('correlate: the 5-minute service window', () => {
  const bare = signal({ correlationKey: undefined, traceId: undefined });
  const at = (ms: number, over: Partial<CorrelationCandidate> = {}) =>
    candidate({ incidentId: 'inc', service: 'checkout', environment: 'prod', lastSignalAt: ago(ms), ...over });

  it('matches up to and including exactly 5 minutes', () => {
    expect(correlate(bare, [at(SERVICE_WINDOW_MS)], NOW, breached)).toMatchObject({ kind: 'attach', by: 'service_window' });
    expect(correlate(bare, [at(SERVICE_WINDOW_MS + 1)], NOW, breached)).toMatchObject({ kind: 'declare' });
  });

  it('accepts now as a Date', () => {
    expect(correlate(bare, [at(1000)], new Date(NOW), breached)).toMatchObject({ kind: 'attach' });
  });

  it('needs the same service and environment (case-insensitive) and a last signal', () => {
    expect(correlate(bare, [at(1000, { service: 'Checkout', environment: 'PROD' })], NOW, breached)).toMatchObject({ kind: 'attach' });
    expect(correlate(bare, [at(1000, { environment: 'staging' })], NOW, breached)).toMatchObject({ kind: 'declare' });
    expect(correlate(bare, [at(1000, { service: 'search' })], NOW, breached)).toMatchObject({ kind: 'declare' });
    expect(correlate(bare, [at(1000, { environment: undefined })], NOW, breached)).toMatchObject({ kind: 'declare' });
    expect(correlate(bare, [at(1000, { lastSignalAt: undefined })], NOW, breached)).toMatchObject({ kind: 'declare' });
  });
});

describe('correlate: closed incidents and auto-declare', () => {
  it('ignores RESOLVED and CANCELLED incidents', () => {
    const closed = [
      candidate({ incidentId: 'r', status: 'RESOLVED', correlationKeys: ['ck-1'], fingerprints: ['fp-1'] }),
      candidate({ incidentId: 'c', status: 'CANCELLED', traceIds: ['trace-1'] }),
    ];
    expect(correlate(signal(), closed, NOW, breached)).toMatchObject({ kind: 'declare' });
    const mitigated = candidate({ incidentId: 'm', status: 'MITIGATED', correlationKeys: ['ck-1'] });
    expect(correlate(signal(), [...closed, mitigated], NOW, breached)).toMatchObject({ incidentId: 'm' });
  });

  it('declares only breached, firing signals under autoDeclare=breached', () => {
    expect(correlate(signal(), [], NOW, breached)).toMatchObject({ kind: 'declare' });
    expect(correlate(signal({ metrics: { errorRate: 0.02 } }), [], NOW, breached)).toMatchObject({ kind: 'none' });
    expect(correlate(signal({ status: 'resolved' }), [], NOW, breached)).toMatchObject({ kind: 'none' });
    expect(correlate(signal(), [], NOW, { autoDeclare: 'breached', risk: 'AT_RISK' })).toMatchObject({ kind: 'none' });
    expect(correlate(signal(), [], NOW, { autoDeclare: 'breached', thresholds: { errorRate: { critical: 0.1 } } })).toMatchObject({ kind: 'none' });
  });

  it('never declares under autoDeclare=off, but still attaches', () => {
    expect(correlate(signal({ severity: 'page' }), [], NOW, { autoDeclare: 'off' })).toMatchObject({ kind: 'none' });
    expect(correlate(signal(), [byKey], NOW, { autoDeclare: 'off' })).toMatchObject({ kind: 'attach' });
  });

  it('rejects an invalid now', () => {
    expect(() => correlate(signal(), [], 'not-a-time', breached)).toThrow(DomainError);
  });
});

describe('severityFromSignal', () => {
  it.each([
    [{ severity: 'page' }, 'SEV1'],
    [{ severity: 'P1', metrics: undefined }, 'SEV1'],
    [{ severity: 'critical', metrics: undefined }, 'SEV2'],
    [{ severity: 'critical' }, 'SEV2'],
    [{ severity: 'P2', metrics: undefined }, 'SEV2'],
    [{ severity: 'critical', metrics: { errorRate: 0.02 } }, 'SEV3'],
    [{ severity: undefined, metrics: { errorRate: 0.02 } }, 'SEV3'],
    [{ severity: 'warning', metrics: undefined }, 'SEV3'],
    [{ severity: 'P3', metrics: undefined }, 'SEV3'],
    [{ severity: 'info', metrics: undefined }, 'SEV4'],
    [{ severity: undefined, metrics: undefined }, 'SEV4'],
    [{ severity: 'info', metrics: { errorRate: 0.001 } }, 'SEV4'],
    [{ severity: 'page', status: 'resolved' as const }, 'SEV4'],
  ])('%j → %s', (over, expected) => {
    const s = signal(over);
    expect(severityFromSignal(s, evaluateRisk(s))).toBe(expected);
  });

  it('accepts a bare risk level', () => {
    expect(severityFromSignal(signal({ severity: undefined }), 'BREACHED')).toBe('SEV2');
    expect(severityFromSignal(signal({ severity: undefined }), 'AT_RISK')).toBe('SEV4');
  });
});

describe('toSignalRef', () => {
  it('maps the signal into the SIGNAL_ATTACHED shape', () => {
    const s = signal();
    expect(toSignalRef(s, evaluateRisk(s), 'sig-1')).toEqual({
      signalId: 'sig-1',
      fingerprint: 'fp-1',
      service: 'checkout',
      environment: 'prod',
      title: '5xx rate 7.2% on web-1',
      risk: 'BREACHED',
      status: 'firing',
      correlationKey: 'ck-1',
      traceId: 'trace-1',
      source: 'alertmanager',
    });
    expect(toSignalRef(signal({ correlationKey: undefined, traceId: undefined }), 'AT_RISK', 'x')).not.toHaveProperty('traceId');
  });
});
