import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/shared/domain-error';
import { normalise } from '../../../src/signals/normalisers';
import { genericFingerprint } from '../../../src/signals/normalisers/generic.normaliser';
import { parseLatencyMs, parseRatio, parseTime } from '../../../src/signals/normalisers/normaliser.helpers';
import { evaluateRisk } from '../../../src/signals/risk.evaluator';
import { SignalSchema } from '../../../src/signals/signal.types';

const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/generic/${name}`, import.meta.url), 'utf8'));
const ctx = { orgId: 'org-1' };

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

describe('generic JSON', () => {
  it('maps one object, normalising units and levels', () => {
    const b = fixture('single.json');
    const { signals, warnings } = normalise('generic', b, ctx);
    expect(warnings).toEqual([]);
    const s = signals[0]!;
    expect(s).toMatchObject({
      orgId: 'org-1',
      serviceName: 'search-api',
      environment: 'production',
      metrics: { latencyMs: 1240, errorRate: 0.004 },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      status: 'firing',
      source: 'synthetic-probe',
      severity: 'warning',
      startsAt: '2026-11-21T23:30:00.000Z',
      raw: b,
    });
    expect(s.logs?.map((l) => l.level)).toEqual(['warn', 'error']);
    expect(s.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(SignalSchema.safeParse(s).success).toBe(true);
    expect(evaluateRisk(s).level).toBe('BREACHED'); // 1240 ms ≥ 1000 ms, whatever the severity word
  });

  it('maps an array, with epoch timestamps and one fingerprint from firing to resolved', () => {
    const { signals } = normalise('generic', fixture('batch.json'), ctx);
    expect(signals).toHaveLength(2);
    const [firing, resolved] = signals;
    expect(firing).toMatchObject({ startsAt: '2026-11-21T23:30:00.000Z', metrics: { availability: 0.964 } });
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: '2026-11-21T23:52:00.000Z' });
    expect(firing!.fingerprint).toBe(resolved!.fingerprint);
    expect(evaluateRisk(firing!).level).toBe('AT_RISK'); // 96.4 %: below 99 %, not below 95 %
  });

  it('derives the fingerprint from source, service, environment, title and correlation key', () => {
    const base = { source: 's', serviceName: 'a', environment: 'prod', title: 't' };
    expect(genericFingerprint(base)).toBe(genericFingerprint({ ...base }));
    expect(genericFingerprint(base)).not.toBe(genericFingerprint({ ...base, correlationKey: 'k' }));
    expect(genericFingerprint(base)).not.toBe(genericFingerprint({ ...base, environment: 'staging' }));
    const given = normalise('generic', { ...fixture('single.json'), fingerprint: 'mine' }, ctx).signals[0]!;
    expect(given.fingerprint).toBe('mine');
  });

  it('never takes orgId from the body', () => {
    const { signals, warnings } = normalise('generic', { ...fixture('single.json'), orgId: 'someone-else' }, ctx);
    expect(signals[0]!.orgId).toBe('org-1');
    expect(warnings).toEqual(['(body): orgId "someone-else" in the body ignored; the connector\'s organisation is used']);
  });

  it('applies defaults: environment, source, log timestamps, startsAt from receivedAt', () => {
    const { signals } = normalise(
      'generic',
      { serviceName: 'cron', status: 'firing', title: 'Nightly job failed', logs: [{ message: 'exit 1' }] },
      { orgId: 'org-1', receivedAt: '2026-11-21T23:59:00Z' },
    );
    expect(signals[0]).toMatchObject({
      environment: 'default',
      source: 'generic',
      startsAt: '2026-11-21T23:59:00.000Z',
      logs: [{ level: 'info', message: 'exit 1', timestamp: '2026-11-21T23:59:00.000Z' }],
    });
    expect(evaluateRisk(signals[0]!)).toMatchObject({ level: 'AT_RISK', score: 0.1 });
  });

  it('ignores endsAt on a firing signal', () => {
    const s = normalise('generic', { ...fixture('single.json'), endsAt: '2026-11-21T23:40:00Z' }, ctx).signals[0]!;
    expect(s.endsAt).toBeUndefined();
  });

  it('lists every problem with its index and path', () => {
    const [good] = fixture('batch.json');
    const reason = reasonOf(() =>
      normalise(
        'generic',
        [
          { ...good, status: 'open' },
          { ...good, serviceName: '  ', metrics: { errorRate: '120%', latencyMs: 'fast' } },
          { serviceName: 'x', status: 'firing', title: 't' },
        ],
        ctx,
      ),
    );
    expect(reason).toMatch(/^generic payload is invalid: /);
    expect(reason).toContain('[0].status:');
    expect(reason).toContain('[1].serviceName:');
    expect(reason).toContain('[1].metrics.errorRate: percent above 100');
    expect(reason).toContain('[1].metrics.latencyMs: not a duration');
    expect(reason).toContain('[2].startsAt: required');
    expect(reasonOf(() => normalise('generic', { title: 't' }, ctx))).toContain('serviceName:');
  });
});

describe('normalise()', () => {
  it('rejects an unknown kind and a missing orgId', () => {
    expect(reasonOf(() => normalise('nagios' as never, {}, ctx))).toMatch(/unknown connector kind "nagios"/);
    expect(reasonOf(() => normalise('generic', fixture('single.json'), { orgId: '' }))).toMatch(/orgId is required/);
  });
});

describe('value parsing rules', () => {
  it.each([
    ['7.2%', 0.072],
    [' 5 % ', 0.05],
    ['1%', 0.01],
    [0.072, 0.072],
    [1, 1],
    [7.2, 0.072],
    ['99', 0.99],
    ['0.99', 0.99],
    [100, 1],
  ])('ratio %j → %d', (input, expected) => {
    expect(parseRatio(input)).toEqual({ ok: true, value: expected });
  });

  it.each([[-0.1], [101], ['abc'], ['150%'], [Number.NaN]])('ratio %j is rejected', (input) => {
    expect(parseRatio(input).ok).toBe(false);
  });

  it('parses durations and times', () => {
    expect(parseLatencyMs('620')).toEqual({ ok: true, value: 620 });
    expect(parseLatencyMs('1.5s')).toEqual({ ok: true, value: 1500 });
    expect(parseLatencyMs('800 ms')).toEqual({ ok: true, value: 800 });
    expect(parseLatencyMs(-1).ok).toBe(false);
    expect(parseTime('0001-01-01T00:00:00Z')).toEqual({ ok: true, value: undefined });
    expect(parseTime('2026-11-21T23:27:00.854930716Z')).toEqual({ ok: true, value: '2026-11-21T23:27:00.854Z' });
    expect(parseTime(1795303800)).toEqual({ ok: true, value: '2026-11-21T23:30:00.000Z' });
    expect(parseTime('2026-11-21 23:30:00').ok).toBe(false); // no zone: ambiguous
  });
});
