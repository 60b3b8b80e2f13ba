import { describe, expect, it } from 'vitest';
import { decide, evolve } from '../../../src/incidents/incident.decider';
import { canSeeIncident } from '../../../src/incidents/incident.permissions';
import { type Actor, type IncidentCommand, type IncidentEvent, type IncidentState, initialState } from '../../../src/incidents/incident.types';
import { announcementFor, NEUTRAL_ANNOUNCEMENT } from '../../../src/adapters/slack/privacy/privacy.planner';
import { incidentMembers } from '../../../src/incidents/privacy.decider';
import { DomainError } from '../../../src/shared/domain-error';

const user = (id: string, role: Actor['role'] = 'responder'): Actor => ({ kind: 'user', id, role });
const DECLARER = user('U0002');
const ADMIN = user('U0001', 'admin');
const OUTSIDER = user('U0004');
let seq = 0;

/** Run a command as the unit of work would: decide, stamp, evolve. */
function run(s: IncidentState, c: IncidentCommand, actor: Actor, at = '2026-12-02T10:00:00.000Z'): IncidentState {
  const events = decide(c, s, actor).map((d) => ({ ...d, incidentId: s.id, orgId: s.orgId, seq: ++seq, actor: actor.id, occurredAt: at }) as IncidentEvent);
  return events.reduce(evolve, s);
}
const declared = (visibility?: 'private') =>
  run(initialState('i1', 'T1'), { type: 'DeclareIncident', number: 7, title: 'Leak', severity: 'SEV1', channelName: 'inc-private-7', visibility }, DECLARER);
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return `${e.code}: ${e.reason}`;
    throw e;
  }
  return 'allowed';
};

describe('private incidents: the decider', () => {
  it('a private declaration is visible to its declarer and admins only', () => {
    const s = declared('private');
    expect(s.visibility).toBe('private');
    expect(canSeeIncident(DECLARER, s).allowed).toBe(true);
    expect(canSeeIncident(ADMIN, s).allowed).toBe(true);
    expect(canSeeIncident(OUTSIDER, s)).toMatchObject({ allowed: false, reason: expect.stringMatching(/private/) });
    expect(declared().visibility).toBeUndefined();
  });

  it('access requests: one per person per 15 minutes, decided by the commander or an admin, approval adds a member', () => {
    let s = run(declared('private'), { type: 'AssignRole', role: 'commander', userId: 'U0003' }, DECLARER);
    s = run(s, { type: 'RequestAccess', requestId: 'r1', at: '2026-12-02T10:00:00.000Z' }, OUTSIDER, '2026-12-02T10:00:00.000Z');
    expect(refusal(() => decide({ type: 'RequestAccess', requestId: 'r2', at: '2026-12-02T10:14:59.000Z' }, s, OUTSIDER))).toBe(
      'conflict: You asked to join INC-7 at 10:00 UTC; one request per 15 minutes. You may ask again at 10:15 UTC.',
    );
    expect(decide({ type: 'RequestAccess', requestId: 'r2', at: '2026-12-02T10:15:00.000Z' }, s, OUTSIDER)).toHaveLength(1);
    expect(refusal(() => decide({ type: 'DecideAccess', requestId: 'r1', decision: 'approved' }, s, OUTSIDER))).toMatch(/^forbidden: Only an admin or the commander/);
    expect(refusal(() => decide({ type: 'DecideAccess', requestId: 'nope', decision: 'approved' }, s, ADMIN))).toMatch(/^not_found/);
    s = run(s, { type: 'DecideAccess', requestId: 'r1', decision: 'approved' }, user('U0003'));
    expect(s.members).toEqual(['U0004']);
    expect(incidentMembers(s).sort()).toEqual(['U0002', 'U0003', 'U0004']);
    expect(refusal(() => decide({ type: 'DecideAccess', requestId: 'r1', decision: 'denied' }, s, ADMIN))).toMatch(/already approved by <@U0003>/);
    expect(refusal(() => decide({ type: 'RequestAccess', requestId: 'r3', at: '2026-12-02T11:00:00.000Z' }, s, OUTSIDER))).toMatch(/already a member/);
  });

  it('one way: public → private by the commander or an admin; private → public is refused with the reason', () => {
    const pub = declared();
    expect(refusal(() => decide({ type: 'MakePrivate', members: [] }, pub, OUTSIDER))).toMatch(/^forbidden/);
    const priv = run(pub, { type: 'MakePrivate', members: ['U0009', 'U0009'] }, ADMIN);
    expect(priv).toMatchObject({ visibility: 'private', members: ['U0009'] });
    expect(refusal(() => decide({ type: 'MakePublic' }, priv, ADMIN))).toMatch(/^invalid_transition: INC-7 is private and stays private/);
    expect(refusal(() => decide({ type: 'MakePrivate', members: [] }, priv, ADMIN))).toMatch(/already private/);
  });

  it('members and admins invite; others, viewers and public incidents are refused', () => {
    const s = declared('private');
    expect(refusal(() => decide({ type: 'AddMember', userId: 'U0009' }, s, OUTSIDER))).toMatch(/^forbidden: Only an admin or a member/);
    expect(refusal(() => decide({ type: 'AddMember', userId: 'U0009' }, declared(), DECLARER))).toMatch(/is public/);
    expect(decide({ type: 'AddMember', userId: 'U0009' }, s, ADMIN)).toEqual([{ type: 'MEMBER_ADDED', userId: 'U0009', via: 'invited' }]);
    const joined = run(s, { type: 'AddMember', userId: 'U0009' }, DECLARER);
    expect(refusal(() => decide({ type: 'AddMember', userId: 'U0009' }, joined, DECLARER))).toMatch(/already a member/);
  });

  it('views are audited on private incidents only; admins join through an audited event', () => {
    const view = { type: 'RecordPrivateView', surface: 'api', viewer: 'token:ci' } as const;
    expect(decide(view, declared(), ADMIN)).toEqual([]);
    expect(decide(view, declared('private'), ADMIN)).toEqual([{ type: 'PRIVATE_INCIDENT_VIEWED', surface: 'api', viewer: 'token:ci' }]);
    expect(refusal(() => decide(view, declared('private'), OUTSIDER))).toMatch(/^forbidden/);
    expect(refusal(() => decide({ type: 'JoinAsAdmin' }, declared('private'), OUTSIDER))).toMatch(/^forbidden/);
    const joined = run(declared('private'), { type: 'JoinAsAdmin' }, ADMIN);
    expect(canSeeIncident({ ...ADMIN, role: 'responder' }, joined).allowed).toBe(true);
  });

  it('announcements: a private incident is never announced, or only as a neutral line when configured', () => {
    expect(announcementFor({}, 'INC-7 declared: Leak', 'declared', 'none')).toBe('INC-7 declared: Leak');
    expect(announcementFor({ visibility: 'private' }, 'INC-7 declared: Leak', 'declared', 'none')).toBeUndefined();
    expect(announcementFor({ visibility: 'private' }, 'INC-7 declared: Leak', 'declared', 'neutral')).toBe(NEUTRAL_ANNOUNCEMENT);
    expect(announcementFor({ visibility: 'private' }, 'INC-7 update: rotated', 'other', 'neutral')).toBeUndefined();
  });
  it('an audited view repeated within a minute on the same surface is one event; later or elsewhere it is another', () => {
    const view = (at: string, surface = 'console') =>
      ({ type: 'RecordPrivateView', surface, viewer: ADMIN.id, at }) as const;
    const s0 = declared('private');
    const t0 = '2026-12-02T10:00:00.000Z';
    const s1 = run(s0, view(t0), ADMIN, t0);
    expect(decide(view('2026-12-02T10:00:59.000Z'), s1, ADMIN)).toEqual([]);
    expect(decide(view('2026-12-02T10:00:30.000Z', 'api'), s1, ADMIN)).toHaveLength(1);
    expect(decide(view('2026-12-02T10:01:00.000Z'), s1, ADMIN)).toEqual([
      { type: 'PRIVATE_INCIDENT_VIEWED', surface: 'console', viewer: ADMIN.id },
    ]);
    // Without the caller's clock every view is recorded (older callers).
    expect(decide({ type: 'RecordPrivateView', surface: 'console', viewer: ADMIN.id }, s1, ADMIN)).toHaveLength(1);
  });
});
