import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { evolve } from '../../../src/incidents/incident.decider';
import { type IncidentEvent, type IncidentState, initialState } from '../../../src/incidents/incident.types';
import { withFields } from '../../../src/shared/same-shape';

// V8's own answer to "do these two objects share a hidden class?" (natives syntax, enabled for this function only).
setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
setFlagsFromString('--no-allow-natives-syntax');

const AT = Date.parse('2026-12-02T10:00:00.000Z');

const event = (state: IncidentState, data: Record<string, unknown>, i = 0) =>
  ({
    ...data,
    incidentId: state.id,
    orgId: state.orgId,
    seq: state.version + 1,
    actor: 'U1',
    occurredAt: new Date(AT + i * 1000).toISOString(),
  }) as unknown as IncidentEvent;

function declared(): IncidentState {
  const s = initialState('inc-1', 'T1');
  return evolve(s, event(s, { type: 'INCIDENT_CREATED', number: 1, title: 'Checkout', severity: 'SEV2', source: 'auto', channelName: 'inc-1' }));
}

/** A signal as the log hands it back: parsed from JSON, as every loaded or rebuilt state sees it. */
const ref = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.parse(
    JSON.stringify({
      signalId: `sig-${i}`,
      fingerprint: `fp-${i}`,
      service: 'checkout',
      environment: 'prod',
      title: `HighErrorRate ${i}`,
      risk: 'BREACHED',
      status: 'firing',
      source: 'alertmanager',
      ...extra,
    }),
  );

const distinctMaps = (xs: readonly object[]) => {
  const reps: object[] = [];
  for (const x of xs) if (!reps.some((r) => sameMap(r, x))) reps.push(x);
  return reps.length;
};

describe('state objects share hidden classes (a storm keeps thousands)', () => {
  it('attached, re-fired and resolved signals: one hidden class per set of keys, not one per signal', () => {
    let s = declared();
    const storm = { rule: 'storm', reason: 'more than 10 incidents', evidence: { service: 'checkout' } };
    for (let i = 0; i < 300; i++) s = evolve(s, event(s, { type: 'SIGNAL_ATTACHED', signal: ref(i, { correlation: storm }) }, i));
    expect(distinctMaps(s.signals)).toBe(1);
    for (let i = 0; i < 100; i++) s = evolve(s, event(s, { type: 'SIGNAL_RESOLVED', fingerprint: `fp-${i}` }, 400 + i));
    const resolved = s.signals.filter((x) => x.status === 'resolved');
    expect(resolved).toHaveLength(100);
    expect(distinctMaps(resolved)).toBe(1);
    expect(resolved[0]).toEqual({ ...ref(0), correlation: storm, status: 'resolved', risk: 'CLEARED', attachedAt: new Date(AT).toISOString(), lastSeenAt: new Date(AT + 400_000).toISOString(), resolvedAt: new Date(AT + 400_000).toISOString() });
  });

  it('an attached entry keeps every field of its signal (correlation key, trace id, why it joined)', () => {
    let s = declared();
    const full = ref(1, { correlationKey: 'checkout/prod', traceId: '4bf92f', correlation: { rule: 'trace_id', reason: 'same trace', evidence: { traceId: '4bf92f' } } });
    s = evolve(s, event(s, { type: 'SIGNAL_ATTACHED', signal: full }, 1));
    expect(s.signals[0]).toEqual({ ...full, attachedAt: new Date(AT + 1000).toISOString(), lastSeenAt: new Date(AT + 1000).toISOString() });
  });

  it('completed and exported follow-ups share one hidden class', () => {
    let s = declared();
    for (let i = 0; i < 50; i++) s = evolve(s, event(s, { type: 'ACTION_ADDED', actionId: `a${i}`, text: `Follow-up ${i}` }, i));
    for (let i = 0; i < 50; i++) s = evolve(s, event(s, { type: 'ACTION_COMPLETED', actionId: `a${i}` }, 100 + i));
    expect(distinctMaps(s.actions)).toBe(1);
    expect(s.actions[3]).toMatchObject({ id: 'a3', done: true, completedBy: 'U1' });
  });
});

describe('withFields', () => {
  const KEYS = ['a', 'b', 'c'] as const;
  type T = { a: number; b?: string; c?: boolean };
  it('applies the patch, leaves out what is undefined, keeps the key order', () => {
    expect(withFields<T>(KEYS, { a: 1, b: 'x' }, { c: true })).toEqual({ a: 1, b: 'x', c: true });
    expect(Object.keys(withFields<T>(KEYS, { c: false, a: 1 }, { b: 'y' }))).toEqual(['a', 'b', 'c']);
    const cleared = withFields<T>(KEYS, { a: 1, b: 'x' }, { b: undefined });
    expect(cleared).toEqual({ a: 1 });
    expect('b' in cleared).toBe(false);
  });
  it('copies made from differently shaped objects still share one hidden class', () => {
    const x = withFields<T>(KEYS, { c: true, a: 1 } as T, { b: 'p' });
    const y = withFields<T>(KEYS, JSON.parse('{"b":"q","a":2,"c":false}'), {});
    expect(sameMap(x, y)).toBe(true);
  });
});
