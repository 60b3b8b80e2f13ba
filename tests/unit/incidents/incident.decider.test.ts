import { describe, expect, it } from 'vitest';
import { decide, evolve } from '../../../src/incidents/incident.decider';
import { type Actor, type IncidentCommand, type IncidentEvent, type IncidentEventData, type IncidentState, initialState } from '../../../src/incidents/incident.types';
import { DomainError } from '../../../src/shared/domain-error';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const responder: Actor = { kind: 'user', id: 'U1', role: 'responder' };
const viewer: Actor = { kind: 'user', id: 'U9', role: 'viewer' };
const lead: Actor = { kind: 'user', id: 'U2', role: 'sre_lead' };

/** Given events (stamped with a fixed clock, one minute apart), fold them into state. */
function given(...data: IncidentEventData[]): IncidentState {
  return data.reduce<IncidentState>((s, d, i) => evolve(s, { ...d, incidentId: 'i1', orgId: 'T1', seq: i + 1, actor: 'U1', occurredAt: new Date(T0 + i * 60_000).toISOString() } as IncidentEvent), initialState('i1', 'T1'));
}
const created: IncidentEventData = { type: 'INCIDENT_CREATED', number: 1, title: 'Checkout latency', severity: 'SEV2', channelName: 'inc-1-checkout-latency', source: 'manual' };
const when = (state: IncidentState, cmd: IncidentCommand, actor: Actor = responder) => decide(cmd, state, actor);
const refused = (state: IncidentState, cmd: IncidentCommand, actor: Actor = responder) => {
  try {
    decide(cmd, state, actor);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
};

describe('incident decider', () => {
  it('declares an incident', () => {
    const events = when(initialState('i1', 'T1'), { type: 'DeclareIncident', number: 1, title: ' Checkout latency ', severity: 'SEV2', channelName: 'inc-1-checkout-latency' });
    expect(events).toEqual([{ ...created, service: undefined, environment: undefined, description: undefined }]);
  });

  it('refuses a title over 150 characters and a viewer declaring', () => {
    expect(refused(initialState('i1', 'T1'), { type: 'DeclareIncident', number: 1, title: 'x'.repeat(151), severity: 'SEV2', channelName: 'c' }).code).toBe('invalid_input');
    expect(refused(initialState('i1', 'T1'), { type: 'DeclareIncident', number: 1, title: 't', severity: 'SEV2', channelName: 'c' }, viewer).code).toBe('forbidden');
  });

  it('walks the lifecycle open → investigating → mitigated → resolved and stamps times', () => {
    let s = given(created);
    for (const status of ['INVESTIGATING', 'MITIGATED', 'RESOLVED'] as const) {
      const [e] = when(s, { type: 'ChangeStatus', status });
      expect(e).toMatchObject({ type: 'STATUS_CHANGED', to: status });
      s = evolve(s, { ...e, incidentId: 'i1', orgId: 'T1', seq: s.version + 1, actor: 'U1', occurredAt: new Date(T0 + s.version * 60_000).toISOString() } as IncidentEvent);
    }
    expect(s.status).toBe('RESOLVED');
    expect(s.mitigatedAt).toBe(new Date(T0 + 2 * 60_000).toISOString());
    expect(s.resolvedAt).toBe(new Date(T0 + 3 * 60_000).toISOString());
  });

  it('allows OPEN → RESOLVED (product choice: quick fixes) but refuses mitigated after resolved with a reason', () => {
    expect(when(given(created), { type: 'ChangeStatus', status: 'RESOLVED' })[0]).toMatchObject({ from: 'OPEN', to: 'RESOLVED' });
    const resolved = given(created, { type: 'STATUS_CHANGED', from: 'OPEN', to: 'RESOLVED' });
    const err = refused(resolved, { type: 'ChangeStatus', status: 'MITIGATED' });
    expect(err.code).toBe('invalid_transition');
    expect(err.reason).toMatch(/reopen it with `status investigating`/);
    expect(when(resolved, { type: 'ChangeStatus', status: 'INVESTIGATING' })[0]).toMatchObject({ from: 'RESOLVED', to: 'INVESTIGATING' });
  });

  it('cancelled is terminal, and only an SRE lead or the commander may cancel', () => {
    const s = given(created);
    expect(refused(s, { type: 'ChangeStatus', status: 'CANCELLED' }).code).toBe('forbidden');
    expect(when(s, { type: 'ChangeStatus', status: 'CANCELLED' }, lead)).toHaveLength(1);
    const commanded = given(created, { type: 'ASSIGNEE_CHANGED', role: 'commander', userId: 'U1' });
    expect(when(commanded, { type: 'ChangeStatus', status: 'CANCELLED' })).toHaveLength(1);
    const cancelled = given(created, { type: 'STATUS_CHANGED', from: 'OPEN', to: 'CANCELLED' });
    expect(refused(cancelled, { type: 'ChangeStatus', status: 'INVESTIGATING' }, lead).code).toBe('invalid_transition');
  });

  it('a viewer cannot change severity; a responder neither unless commander', () => {
    const s = given(created);
    expect(refused(s, { type: 'ChangeSeverity', severity: 'SEV1' }, viewer).code).toBe('forbidden');
    expect(refused(s, { type: 'ChangeSeverity', severity: 'SEV1' }).code).toBe('forbidden');
    expect(when(s, { type: 'ChangeSeverity', severity: 'SEV1' }, lead)).toEqual([{ type: 'SEVERITY_UPDATED', from: 'SEV2', to: 'SEV1' }]);
  });

  it('same status twice is refused', () => {
    expect(refused(given(created), { type: 'ChangeStatus', status: 'OPEN' as never }).reason).toMatch(/already open/);
  });

  it('actions: add, complete, refuse double completion and unknown ids', () => {
    const s = given(created, { type: 'ACTION_ADDED', actionId: 'a1', text: 'Roll back' });
    expect(when(s, { type: 'CompleteAction', actionId: 'a1' })).toEqual([{ type: 'ACTION_COMPLETED', actionId: 'a1' }]);
    expect(refused(s, { type: 'CompleteAction', actionId: 'nope' }).code).toBe('not_found');
    const done = given(created, { type: 'ACTION_ADDED', actionId: 'a1', text: 'Roll back' }, { type: 'ACTION_COMPLETED', actionId: 'a1' });
    expect(done.actions[0]).toMatchObject({ done: true, completedBy: 'U1' });
    expect(refused(done, { type: 'CompleteAction', actionId: 'a1' }).code).toBe('invalid_input');
  });

  it('signals: repeats add nothing, resolution is recorded once', () => {
    const sig = { signalId: 's1', fingerprint: 'f1', service: 'checkout', environment: 'prod', title: 'High errors', risk: 'BREACHED' as const, status: 'firing' as const, source: 'alertmanager' };
    const s = given(created, { type: 'SIGNAL_ATTACHED', signal: sig });
    expect(when(s, { type: 'AttachSignal', signal: sig })).toEqual([]);
    expect(when(s, { type: 'AttachSignal', signal: { ...sig, status: 'resolved' } })).toEqual([{ type: 'SIGNAL_RESOLVED', fingerprint: 'f1' }]);
    const r = given(created, { type: 'SIGNAL_ATTACHED', signal: sig }, { type: 'SIGNAL_RESOLVED', fingerprint: 'f1' });
    expect(r.signals[0]).toMatchObject({ status: 'resolved', risk: 'CLEARED' });
    expect(when(r, { type: 'ResolveSignal', fingerprint: 'f1' })).toEqual([]);
  });

  it('commands on a missing incident are refused', () => {
    expect(refused(initialState('x', 'T1'), { type: 'AddNote', text: 'hi' }).code).toBe('not_found');
  });

  it('a message added to the timeline twice is refused the second time', () => {
    const source = { channelId: 'C1', ts: '1.2' };
    const s = given(created, { type: 'NOTE_ADDED', text: 'look', source });
    expect(refused(s, { type: 'AddNote', text: 'look', source }).code).toBe('already_exists');
  });
});
