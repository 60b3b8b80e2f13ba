import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIsoUtcMs } from '../../../src/shared/iso-time';
import { fastAlertmanagerPayload } from '../../../src/signals/normalisers/alertmanager.fast';
import {
  AlertmanagerWebhookSchema,
  mapPrometheusAlert,
} from '../../../src/signals/normalisers/alertmanager.normaliser';
import { capSignal, capSignalCopy, parseTime } from '../../../src/signals/normalisers/normaliser.helpers';
import { surelyValidSignal } from '../../../src/signals/signal.check';
import { type Signal, SignalSchema } from '../../../src/signals/signal.types';

/**
 * The zod-free shortcuts of alert reading (issue 13) against the schemas they stand in for: each may say
 * "ask zod" more often, never accept what zod refuses or read a value differently.
 */

/** Mostly what senders send, now and then what they should not: both paths get exercised. */
const often = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>, weight = 30) =>
  fc.oneof({ weight, arbitrary: good }, { weight: 1, arbitrary: bad });
const times = often(
  fc.oneof(
    fc.date({ min: new Date(-1e10), max: new Date(2e13), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('0001-01-01T00:00:00Z', '2026-11-21T23:00:00Z', '2026-11-21T23:00:00.000+01:00', '1700000000'),
  ),
  fc.constantFrom(
    '2026-02-30T00:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-11-21T24:00:00.000Z',
    '',
    ' ',
    'soon',
    0,
    null,
  ),
);
const text = often(fc.string({ maxLength: 12 }), fc.constantFrom('', ' a ', 'x\u0000y', 'é'.repeat(300)));
const key = fc.constantFrom(
  'service',
  'job',
  'env',
  'alertname',
  'severity',
  'error_rate',
  'latency_ms',
  'summary',
  'description',
  'x',
);
const labels = often(
  fc.dictionary(key, often(text, fc.constantFrom(1, null, true), 100), { noNullPrototype: true }),
  fc.constantFrom(null, [], 'a'),
);
const alert = fc.record(
  {
    status: often(fc.constantFrom('firing', 'resolved'), fc.constantFrom('pending', null)),
    labels,
    annotations: labels,
    startsAt: times,
    endsAt: times,
    generatorURL: often(text, fc.constant(null)),
    fingerprint: often(text, fc.constant(7)),
    extra: fc.anything(),
  },
  { requiredKeys: ['status', 'labels', 'startsAt'], noNullPrototype: true },
);
const body = fc.record(
  {
    version: often(fc.constantFrom('4', '3'), fc.constantFrom(4, null)),
    groupKey: often(text, fc.constant(null)),
    truncatedAlerts: often(fc.constantFrom(0, 3), fc.constantFrom(-1, 1.5, '2', 2 ** 60)),
    status: often(fc.constantFrom('firing', 'resolved'), fc.constant('bad')),
    receiver: often(text, fc.constant(1)),
    commonLabels: labels,
    alerts: often(fc.array(alert, { maxLength: 3 }), fc.constant(null)),
  },
  { requiredKeys: ['alerts'], noNullPrototype: true },
);
const ctx = { orgId: 'org-1', receivedAt: '2026-12-02T00:00:00.000Z' };
const opts = (raw: unknown) => ({ ctx, source: 'alertmanager', raw, where: 'alerts[0]', warnings: [] as string[] });

describe('zod-free alert reading', () => {
  it('takes only bodies the Alertmanager schema takes, and reads them to the same signals', () => {
    let taken = 0;
    fc.assert(
      fc.property(body, (b) => {
        const fast = fastAlertmanagerPayload(b);
        const zod = AlertmanagerWebhookSchema.safeParse(b);
        if (!fast) return;
        taken++;
        expect(zod.success).toBe(true);
        const raws = (b as { alerts: unknown[] }).alerts;
        const viaZod = zod.data!.alerts.map((a, i) => mapPrometheusAlert(a, opts(raws[i])));
        const viaFast = fast.alerts.map((a, i) => mapPrometheusAlert(a, opts(raws[i])));
        expect(viaFast).toEqual(viaZod);
        expect(fast.groupKey).toBe(zod.data!.groupKey);
        expect(fast.truncatedAlerts).toBe(zod.data!.truncatedAlerts);
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(500); // the generator reaches the shortcut, not only the fallback
  });

  it('checks toISOString form exactly as a Date round trip does', () => {
    const shaped = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 32 }))
      .chain(([y, mo, d]) =>
        fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([h, mi]) => {
          const p = (n: number, w = 2) => String(n).padStart(w, '0');
          return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(mi)}.123Z`;
        }),
      );
    fc.assert(
      fc.property(
        fc.oneof(
          shaped,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        (s) => {
          const date = new Date(s);
          const roundTrip = !Number.isNaN(date.getTime()) && date.toISOString() === s;
          expect(isIsoUtcMs(s)).toBe(roundTrip && /^\d{4}-/.test(s)); // years 0000–9999, toISOString's plain form
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('parseTime still answers canonical times, the zero time and everything else as before', () => {
    expect(parseTime('2026-12-02T19:06:25.572Z')).toEqual({ ok: true, value: '2026-12-02T19:06:25.572Z' });
    expect(parseTime('0001-01-01T00:00:00Z')).toEqual({ ok: true, value: undefined });
    expect(parseTime('1969-12-31T23:59:59.000Z')).toEqual({ ok: true, value: undefined });
    expect(parseTime('2026-12-02T20:06:25+01:00')).toEqual({ ok: true, value: '2026-12-02T19:06:25.000Z' });
    expect(parseTime('2026-02-30T00:00:00.000Z').ok).toBe(Date.parse('2026-02-30T00:00:00.000Z') >= 0);
  });

  const signal = fc.record(
    {
      orgId: fc.constantFrom('org-1', ''),
      projectId: text,
      serviceName: text,
      environment: text,
      metrics: fc.oneof(
        fc.record({ errorRate: fc.double(), latencyMs: fc.double(), availability: fc.double() }, { requiredKeys: [] }),
        fc.constantFrom(null, [], undefined),
      ),
      logs: fc.oneof(
        fc.array(fc.record({ level: fc.constantFrom('info', 'error', 'loud'), message: text, timestamp: times }), {
          maxLength: 22,
        }),
        fc.constant(undefined),
      ),
      correlationKey: text,
      status: fc.constantFrom('firing', 'resolved', 'open'),
      source: text,
      title: fc.oneof(text, fc.constantFrom('\u200b', ' ', undefined)),
      severity: fc.oneof(text, fc.constant(undefined)),
      startsAt: times,
      endsAt: times,
      fingerprint: text,
      raw: often(fc.anything(), fc.constant(undefined)),
    },
    {
      noNullPrototype: true,
      requiredKeys: ['raw', 'orgId', 'serviceName', 'status', 'title', 'startsAt', 'fingerprint'],
    },
  ) as unknown as fc.Arbitrary<Signal>;

  it('calls a signal valid only when SignalSchema does', () => {
    let sure = 0;
    fc.assert(
      fc.property(signal, (s) => {
        if (!surelyValidSignal(s)) return;
        sure++;
        expect(SignalSchema.safeParse(s).success).toBe(true);
      }),
      { numRuns: 12000 },
    );
    expect(sure).toBeGreaterThan(20);
  });

  it('capSignal skips the copy only when the copy would change nothing', () => {
    let skipped = 0;
    fc.assert(
      fc.property(signal, (s) => {
        const w1: string[] = [];
        const w2: string[] = [];
        const out = capSignal(s, 'signal 0', w1);
        if (out === s) skipped++;
        expect(out).toEqual(capSignalCopy(s, 'signal 0', w2));
        expect(w1).toEqual(w2);
      }),
      { numRuns: 5000 },
    );
    expect(skipped).toBeGreaterThan(20);
  });
});
