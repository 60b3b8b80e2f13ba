import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, evolve, fold } from '../../../src/incidents/incident.decider';
import type { IncidentEvent, IncidentState, SignalRef } from '../../../src/incidents/incident.types';
import { initialState } from '../../../src/incidents/incident.types';
import { firingCount, signalIndex } from '../../../src/incidents/signal-index';

/**
 * fold() grows a signal list it made itself in place (a storm would otherwise copy it once per alert);
 * AttachSignals decides a request's alerts for one incident at once. Both must be indistinguishable from
 * the one-alert-at-a-time path, and never touch a state they were given.
 */
const actor = { kind: 'user' as const, id: 'U1', role: 'responder' as const };
const ref = (fp: string, status: 'firing' | 'resolved'): SignalRef => ({
  signalId: `id-${fp}`,
  fingerprint: fp,
  service: 'svc',
  environment: 'prod',
  title: `alert ${fp}`,
  risk: status === 'firing' ? 'BREACHED' : 'CLEARED',
  status,
  source: 'test',
}) as SignalRef;

let clock = 0;
function stamp(state: IncidentState, data: ReturnType<typeof decide>): IncidentEvent[] {
  return data.map((d, i) => ({
    ...d,
    incidentId: state.id,
    orgId: state.orgId,
    seq: state.version + i + 1,
    actor: 'U1',
    occurredAt: new Date(Date.UTC(2026, 11, 1) + ++clock * 1000).toISOString(),
  })) as IncidentEvent[];
}

function declared(): IncidentState {
  const s = initialState('inc-1', 'T1');
  const cmd = { type: 'DeclareIncident', title: 'Checkout down', severity: 'SEV2', number: 1, channelName: 'inc-1' };
  return fold(s, stamp(s, decide(cmd as never, s, actor)));
}

const alerts = fc.array(fc.record({ fp: fc.integer({ min: 0, max: 12 }), firing: fc.boolean() }), { maxLength: 60 });

describe('signal fold and AttachSignals', () => {
  it('fold equals reduce(evolve) and leaves the state it started from untouched', () => {
    fc.assert(
      fc.property(alerts, alerts, (first, second) => {
        let base = declared();
        for (const a of first) base = fold(base, stamp(base, decide({ type: 'AttachSignal', signal: ref(`f${a.fp}`, a.firing ? 'firing' : 'resolved') }, base, actor)));
        const snapshot = structuredClone(base.signals);
        const events: IncidentEvent[] = [];
        let s = base;
        for (const a of second) {
          const e = stamp(s, decide({ type: 'AttachSignal', signal: ref(`f${a.fp}`, a.firing ? 'firing' : 'resolved') }, s, actor));
          events.push(...e);
          s = e.reduce(evolve, s);
        }
        const folded = fold(base, events);
        expect(folded).toEqual(s);
        expect(base.signals).toEqual(snapshot);
        for (let n = 0; n <= 12; n++) expect(signalIndex(folded.signals, `f${n}`)).toBe(folded.signals.findIndex((x) => x.fingerprint === `f${n}`));
        expect(firingCount(folded.signals)).toBe(folded.signals.filter((x) => x.status === 'firing').length);
      }),
      { numRuns: 300 },
    );
  });

  it('AttachSignals decides each alert as AttachSignal would, in order', () => {
    fc.assert(
      fc.property(alerts, alerts, (first, batch) => {
        let base = declared();
        for (const a of first) base = fold(base, stamp(base, decide({ type: 'AttachSignal', signal: ref(`f${a.fp}`, a.firing ? 'firing' : 'resolved') }, base, actor)));
        const refs = batch.map((a) => ref(`f${a.fp}`, a.firing ? 'firing' : 'resolved'));
        let one = base;
        const oneByOne: unknown[] = [];
        for (const r of refs) {
          const d = decide({ type: 'AttachSignal', signal: r }, one, actor);
          oneByOne.push(...d);
          one = fold(one, stamp(one, d));
        }
        const together = decide({ type: 'AttachSignals', signals: refs }, base, actor);
        expect(together).toEqual(oneByOne);
        expect(fold(base, stamp(base, together)).signals.map((x) => [x.fingerprint, x.status])).toEqual(one.signals.map((x) => [x.fingerprint, x.status]));
      }),
      { numRuns: 300 },
    );
  });

  it('a storm of 20,000 alerts folds onto one incident (the list made in place stays exact)', () => {
    const base = declared();
    const events = stamp(base, decide({ type: 'AttachSignals', signals: Array.from({ length: 20_000 }, (_, i) => ref(`s${i}`, 'firing')) }, base, actor));
    const s = fold(base, events);
    expect(s.signals).toHaveLength(20_000);
    expect(base.signals).toHaveLength(0);
    expect(s.version).toBe(base.version + 20_000);
    expect(firingCount(s.signals)).toBe(20_000);
    expect(signalIndex(s.signals, 's19999')).toBe(19_999);
  });
});
