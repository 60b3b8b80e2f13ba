import { describe, expect, it } from 'vitest';
import { actorLabel, followUpTrackerEffects } from '../../../src/adapters/slack/followups/followup.planner';
import { decide, evolve } from '../../../src/incidents/incident.decider';
import { issueKey } from '../../../src/incidents/followup.decider';
import { type Actor, type IncidentCommand, type IncidentEvent, type IncidentState, initialState } from '../../../src/incidents/incident.types';
import { DomainError } from '../../../src/shared/domain-error';

const admin: Actor = { kind: 'user', id: 'U1', role: 'admin' };
const viewer: Actor = { kind: 'user', id: 'U9', role: 'viewer' };
const system: Actor = { kind: 'system', id: 'revenant', role: 'admin' };
const github: Actor = { kind: 'connector', id: 'github:octocat', role: 'responder' };
const ref = { tracker: 'github', repository: 'Acme/Ops', number: 7, url: 'https://github.com/Acme/Ops/issues/7' };

function run(state: IncidentState, command: IncidentCommand, actor: Actor = admin): { state: IncidentState; events: IncidentEvent[] } {
  const events = decide(command, state, actor).map((d, i) => ({
    ...d,
    incidentId: state.id,
    orgId: state.orgId,
    seq: state.version + i + 1,
    actor: actor.id,
    occurredAt: `2026-12-03T10:00:0${i}.000Z`,
  })) as IncidentEvent[];
  return { state: events.reduce(evolve, state), events };
}

function withAction(): IncidentState {
  let s = initialState('i1', 'T1');
  s = run(s, { type: 'DeclareIncident', number: 1, title: 'Checkout errors', severity: 'SEV2', channelName: 'inc-1' }).state;
  return run(s, { type: 'AddAction', actionId: 'a1', text: 'Add a canary' }).state;
}
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return 'accepted';
};

describe('follow-up tracker decider', () => {
  it('records the export intent once; a second request while pending or after the export is refused', () => {
    const s0 = withAction();
    const asked = run(s0, { type: 'ExportAction', actionId: 'a1', tracker: 'github', repository: 'Acme/Ops' });
    expect(asked.events.map((e) => e.type)).toEqual(['ACTION_EXPORT_REQUESTED']);
    expect(asked.state.actions[0].exportPending).toEqual({ tracker: 'github', repository: 'Acme/Ops' });
    expect(refusal(() => decide({ type: 'ExportAction', actionId: 'a1', tracker: 'github', repository: 'Acme/Ops' }, asked.state, admin))).toBe('already_exists');
    const done = run(asked.state, { type: 'RecordActionExport', actionId: 'a1', ...ref }, system);
    expect(done.state.actions[0]).toMatchObject({ issue: ref });
    expect(done.state.actions[0].exportPending).toBeUndefined();
    expect(decide({ type: 'RecordActionExport', actionId: 'a1', ...ref }, done.state, system)).toEqual([]);
    expect(refusal(() => decide({ type: 'ExportAction', actionId: 'a1', tracker: 'github', repository: 'Acme/Ops' }, done.state, admin))).toBe('already_exists');
  });

  it('a failed export clears the intent (so it can be pressed again); a failure without intent records nothing', () => {
    const asked = run(withAction(), { type: 'ExportAction', actionId: 'a1', tracker: 'github', repository: 'Acme/Ops' }).state;
    const failed = run(asked, { type: 'FailActionExport', actionId: 'a1', reason: 'repository gone' }, system);
    expect(failed.events).toMatchObject([{ type: 'ACTION_EXPORT_FAILED', tracker: 'github', reason: 'repository gone' }]);
    expect(failed.state.actions[0].exportPending).toBeUndefined();
    expect(decide({ type: 'FailActionExport', actionId: 'a1', reason: 'again' }, failed.state, system)).toEqual([]);
    expect(refusal(() => decide({ type: 'ExportAction', actionId: 'a1', tracker: 'github', repository: 'Acme/Ops' }, failed.state, viewer))).toBe('forbidden');
  });

  it('renames from the tracker: same title adds nothing, an empty one is refused, unknown follow-ups are not found', () => {
    const s = withAction();
    const r = run(s, { type: 'RenameAction', actionId: 'a1', text: '  Add a canary stage ' }, github);
    expect(r.events).toMatchObject([{ type: 'ACTION_RENAMED', text: 'Add a canary stage', from: 'Add a canary' }]);
    expect(r.state.actions[0].text).toBe('Add a canary stage');
    expect(decide({ type: 'RenameAction', actionId: 'a1', text: 'Add a canary stage' }, r.state, github)).toEqual([]);
    expect(refusal(() => decide({ type: 'RenameAction', actionId: 'a1', text: ' \u200b ' }, r.state, github))).toBe('invalid_input');
    expect(refusal(() => decide({ type: 'RenameAction', actionId: 'zz', text: 'x' }, r.state, github))).toBe('not_found');
  });

  it('plans the issue close for a Slack completion but not for one that came from GitHub', () => {
    let s = run(withAction(), { type: 'ExportAction', actionId: 'a1', tracker: 'github', repository: 'Acme/Ops' }).state;
    s = run(s, { type: 'RecordActionExport', actionId: 'a1', ...ref }, system).state;
    const bySlack = run(s, { type: 'CompleteAction', actionId: 'a1' });
    expect(followUpTrackerEffects(s, bySlack.state, bySlack.events).map((e) => e.kind)).toEqual(['followup.sync_issue']);
    const byGitHub = run(s, { type: 'CompleteAction', actionId: 'a1' }, github);
    expect(followUpTrackerEffects(s, byGitHub.state, byGitHub.events)).toEqual([]);
    expect(actorLabel('github:octocat')).toBe('octocat (GitHub)');
    expect(actorLabel('U123')).toBe('<@U123>');
    expect(issueKey(ref)).toBe('github:acme/ops#7');
  });
});
