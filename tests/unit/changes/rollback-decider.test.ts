import { describe, expect, it } from 'vitest';
import { decide, fold } from '../../../src/incidents/incident.decider';
import {
  type Actor,
  type IncidentEvent,
  type IncidentEventData,
  initialState,
} from '../../../src/incidents/incident.types';
import { describeRollbackEvent, formatDuration } from '../../../src/incidents/rollback.decider';
import { DomainError } from '../../../src/shared/domain-error';

const lead: Actor = { kind: 'user', id: 'U0LEAD', role: 'sre_lead' };
const responder: Actor = { kind: 'user', id: 'U0RESP', role: 'responder' };
const viewer: Actor = { kind: 'user', id: 'U0VIEW', role: 'viewer' };
const system: Actor = { kind: 'system', id: 'revenant', role: 'admin' };
const T0 = '2026-12-02T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const target = { kind: 'github_workflow' as const, repository: 'acme/checkout', workflow: 'rollback.yml', ref: 'main' };
const request = (id = 'rb1', o: Record<string, string> = {}) => ({
  type: 'RequestRollback' as const,
  rollbackId: id,
  service: 'checkout',
  environment: 'production',
  fromVersion: 'v2',
  toVersion: 'v1',
  target,
  ...o,
});

/** A tiny event store: decide, stamp the envelope, fold. */
function stream() {
  const events: IncidentEvent[] = [];
  const state = () => fold(initialState('i1', 'T1'), events);
  const run = (cmd: Parameters<typeof decide>[0], actor: Actor, seconds: number) => {
    const data = decide(cmd, state(), actor);
    const stamped = data.map(
      (d: IncidentEventData, i) =>
        ({
          ...d,
          incidentId: 'i1',
          orgId: 'T1',
          seq: events.length + i + 1,
          actor: actor.id,
          occurredAt: at(seconds),
        }) as IncidentEvent,
    );
    events.push(...stamped);
    return data;
  };
  run(
    {
      type: 'DeclareIncident',
      number: 7,
      title: 'Checkout errors',
      severity: 'SEV2',
      service: 'checkout',
      channelName: 'inc-7',
    },
    lead,
    0,
  );
  return { events, state, run };
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? { code: e.code, reason: e.reason } : { code: 'other', reason: String(e) };
  }
  return undefined;
};

describe('rollback decider', () => {
  it('requested → started → completed, with the time to rollback from request to the deployment result', () => {
    const s = stream();
    expect(s.run(request(), lead, 10).map((e) => e.type)).toEqual(['ROLLBACK_REQUESTED']);
    expect(s.state().rollbacks?.[0]).toMatchObject({ status: 'requested', requestedBy: 'U0LEAD', requestedAt: at(10) });
    expect(
      s.run({ type: 'RecordRollbackDispatch', rollbackId: 'rb1', ok: true, detail: 'dispatched' }, system, 11),
    ).toEqual([
      expect.objectContaining({ type: 'ROLLBACK_STARTED', service: 'checkout', toVersion: 'v1', detail: 'dispatched' }),
    ]);
    const done = s.run(
      { type: 'SettleRollback', rollbackId: 'rb1', outcome: 'completed', version: 'v1', at: at(100) },
      system,
      100,
    );
    expect(done).toEqual([expect.objectContaining({ type: 'ROLLBACK_COMPLETED', durationMs: 90_000, version: 'v1' })]);
    expect(s.state().rollbacks?.[0]).toMatchObject({ status: 'completed', durationMs: 90_000, finishedAt: at(100) });
    expect(describeRollbackEvent(done[0] as never, 'x')).toBe(
      'Rollback of checkout in production v2 → v1 succeeded in 1 min 30 s',
    );
  });

  it('repeated outcomes (retried deliveries, redelivered deployments) change nothing', () => {
    const s = stream();
    s.run(request(), lead, 1);
    s.run({ type: 'RecordRollbackDispatch', rollbackId: 'rb1', ok: true, detail: 'ok' }, system, 2);
    expect(s.run({ type: 'RecordRollbackDispatch', rollbackId: 'rb1', ok: true, detail: 'ok' }, system, 3)).toEqual([]);
    s.run({ type: 'SettleRollback', rollbackId: 'rb1', outcome: 'completed', version: 'v1', at: at(4) }, system, 4);
    expect(
      s.run({ type: 'SettleRollback', rollbackId: 'rb1', outcome: 'completed', version: 'v1', at: at(5) }, system, 5),
    ).toEqual([]);
    expect(s.run({ type: 'TimeOutRollback', rollbackId: 'rb1', waitedMs: 900_000 }, system, 6)).toEqual([]);
    expect(
      s.run({ type: 'SettleRollback', rollbackId: 'nope', outcome: 'failed', version: 'v1', at: at(7) }, system, 7),
    ).toEqual([]);
  });

  it('a failed dispatch, a failed deployment and a timeout each end it; then another may start', () => {
    const s = stream();
    s.run(request('a'), lead, 1);
    expect(
      s.run({ type: 'RecordRollbackDispatch', rollbackId: 'a', ok: false, detail: 'HTTP 404' }, system, 2),
    ).toEqual([expect.objectContaining({ type: 'ROLLBACK_FAILED', stage: 'dispatch', reason: 'HTTP 404' })]);
    s.run(request('b'), lead, 3);
    s.run({ type: 'RecordRollbackDispatch', rollbackId: 'b', ok: true, detail: 'ok' }, system, 4);
    expect(
      s.run({ type: 'SettleRollback', rollbackId: 'b', outcome: 'failed', version: 'v1', at: at(5) }, system, 5),
    ).toEqual([expect.objectContaining({ type: 'ROLLBACK_FAILED', stage: 'deployment' })]);
    s.run(request('c'), lead, 6);
    expect(s.run({ type: 'TimeOutRollback', rollbackId: 'c', waitedMs: 60_000 }, system, 7).map((e) => e.type)).toEqual(
      ['ROLLBACK_TIMED_OUT'],
    );
    expect(s.state().rollbacks?.map((r) => r.status)).toEqual(['failed', 'failed', 'timed_out']);
  });

  it('refusals leave the log unchanged and say why', () => {
    const s = stream();
    for (const who of [viewer, responder])
      expect(refusal(() => s.run(request(), who, 1))).toEqual({
        code: 'forbidden',
        reason: 'Only an SRE lead, an admin or the incident commander can roll back a deployment.',
      });
    expect(refusal(() => s.run(request('x', { toVersion: 'v2' }), lead, 1))).toMatchObject({
      code: 'invalid_input',
      reason: 'checkout is already at v2 in production.',
    });
    s.run(request(), lead, 2);
    const n = s.events.length;
    expect(refusal(() => s.run(request('again'), lead, 3))).toMatchObject({
      code: 'conflict',
      reason: expect.stringMatching(/already running \(v2 → v1, requested by <@U0LEAD>\)/),
    });
    // Another environment is independent.
    expect(s.run(request('staging', { environment: 'staging' }), lead, 4)).toHaveLength(1);
    expect(s.events).toHaveLength(n + 1);
  });

  it("the incident's commander may roll back even as a responder", () => {
    const s = stream();
    s.run({ type: 'AssignRole', role: 'commander', userId: responder.id }, lead, 1);
    expect(s.run(request(), responder, 2).map((e) => e.type)).toEqual(['ROLLBACK_REQUESTED']);
  });

  it('formats durations for people', () => {
    expect([formatDuration(4_000), formatDuration(60_000), formatDuration(312_000), formatDuration(3_900_000)]).toEqual(
      ['4 s', '1 min', '5 min 12 s', '1 h 5 min'],
    );
  });
});
