import { describe, expect, it } from 'vitest';
import { decide, evolve } from '../../../src/incidents/incident.decider';
import {
  type Actor,
  type IncidentCommand,
  type IncidentEvent,
  type IncidentState,
  initialState,
} from '../../../src/incidents/incident.types';
import { applyTimelineChanges } from '../../../src/incidents/timeline.decider';
import { buildTimeline } from '../../../src/postmortems/postmortem.timeline';
import { parseEntryTime, parseSince } from '../../../src/shared/time-input';

const alice: Actor = { kind: 'user', id: 'UALICE', role: 'responder' };
const bob: Actor = { kind: 'user', id: 'UBOB', role: 'responder' };
const admin: Actor = { kind: 'user', id: 'UADMIN', role: 'admin' };
const slack: Actor = { kind: 'system', id: 'slack', role: 'viewer' };

/** Runs commands like the unit of work: decide, stamp, evolve. */
function run(start: IncidentState, log: IncidentEvent[], steps: [IncidentCommand, Actor, string][]) {
  let state = start;
  for (const [command, actor, at] of steps) {
    const data = decide(command, state, actor);
    const events = data.map((d, i) => ({
      ...d,
      incidentId: 'i1',
      orgId: 'T1',
      seq: state.version + i + 1,
      actor: actor.id,
      occurredAt: at,
    })) as IncidentEvent[];
    log.push(...events);
    state = events.reduce(evolve, state);
  }
  return state;
}

function base() {
  const log: IncidentEvent[] = [];
  const state = run(initialState('i1', 'T1'), log, [
    [
      { type: 'DeclareIncident', number: 7, title: 'Checkout down', severity: 'SEV2', channelName: 'inc-7' },
      alice,
      '2026-12-02T10:00:00.000Z',
    ],
    [
      {
        type: 'AddNote',
        text: 'db failover started',
        source: {
          channelId: 'C1',
          ts: '100.1',
          author: 'UBOB',
          files: [{ name: 'graph.png', permalink: 'https://s/graph' }],
        },
      },
      alice,
      '2026-12-02T10:05:00.000Z',
    ],
    [{ type: 'AddNote', text: 'plain note' }, bob, '2026-12-02T10:06:00.000Z'],
  ]);
  return { log, state };
}

describe('timeline decider: captured messages follow Slack', () => {
  it('an edit of a captured message is one NOTE_EDITED; the same text again (retry, unfurl) is nothing', () => {
    const { log, state } = base();
    const edit: IncidentCommand = {
      type: 'EditCapturedNote',
      channelId: 'C1',
      ts: '100.1',
      text: 'db failover finished',
    };
    const after = run(state, log, [[edit, slack, '2026-12-02T10:07:00.000Z']]);
    expect(log.at(-1)).toMatchObject({ type: 'NOTE_EDITED', entrySeq: 2, text: 'db failover finished', seq: 4 });
    expect(decide(edit, after, slack)).toEqual([]);
    expect(after.messageNotes?.['C1:100.1']).toMatchObject({ seq: 2, text: 'db failover finished' });
  });

  it('messages not on the timeline, and deleted ones, are ignored; a delete is recorded once', () => {
    const { log, state } = base();
    expect(decide({ type: 'EditCapturedNote', channelId: 'C1', ts: '999.9', text: 'x' }, state, slack)).toEqual([]);
    const del: IncidentCommand = { type: 'DeleteCapturedNote', channelId: 'C1', ts: '100.1' };
    const after = run(state, log, [[del, slack, '2026-12-02T10:08:00.000Z']]);
    expect(log.at(-1)).toMatchObject({ type: 'NOTE_DELETED', entrySeq: 2 });
    expect(decide(del, after, slack)).toEqual([]);
    expect(
      decide({ type: 'EditCapturedNote', channelId: 'C1', ts: '100.1', text: 'resurrected' }, after, slack),
    ).toEqual([]);
  });

  it('time corrections: author, commander or admin; others refused; from → to recorded; bad times refused', () => {
    const { state } = base();
    const entry = { type: 'NOTE_ADDED', actor: 'UALICE', author: 'UBOB', occurredAt: '2026-12-02T10:05:00.000Z' };
    const cmd = (to: string): IncidentCommand => ({ type: 'CorrectTimelineTime', seq: 2, to, entry });
    const carol: Actor = { kind: 'user', id: 'UCAROL', role: 'responder' };
    expect(() => decide(cmd('2026-12-02T09:55:00Z'), state, carol)).toThrow(
      /author, the incident commander or an admin/,
    );
    expect(decide(cmd('2026-12-02T09:55:00Z'), state, bob)).toEqual([
      {
        type: 'TIMELINE_TIME_CORRECTED',
        entrySeq: 2,
        from: '2026-12-02T10:05:00.000Z',
        to: '2026-12-02T09:55:00.000Z',
      },
    ]);
    expect(decide(cmd('2026-12-02T09:55:00Z'), state, admin)).toHaveLength(1);
    expect(() => decide(cmd('not a time'), state, alice)).toThrow(/is not a time/);
    expect(() => decide(cmd('2026-12-02T10:05:00.000Z'), state, alice)).toThrow(/already at/);
    expect(() => decide({ ...cmd('2026-12-02T09:00:00Z'), seq: 99 } as IncidentCommand, state, alice)).toThrow(
      /no timeline entry #99/,
    );
    const withCommander = run(
      state,
      [],
      [[{ type: 'AssignRole', role: 'commander', userId: 'UCAROL' }, alice, '2026-12-02T10:07:00.000Z']],
    );
    expect(decide(cmd('2026-12-02T09:55:00Z'), withCommander, carol)).toHaveLength(1);
  });

  it('the postmortem timeline reads the latest text, drops deleted messages and orders by corrected time', () => {
    const { log, state } = base();
    const entry = { type: 'NOTE_ADDED', actor: 'UBOB', occurredAt: '2026-12-02T10:06:00.000Z' };
    run(state, log, [
      [
        {
          type: 'EditCapturedNote',
          channelId: 'C1',
          ts: '100.1',
          text: 'failover done',
          files: [{ name: 'after.png', permalink: 'https://s/after' }],
        },
        slack,
        '2026-12-02T10:09:00.000Z',
      ],
      [{ type: 'CorrectTimelineTime', seq: 3, to: '2026-12-02T10:02:00.000Z', entry }, bob, '2026-12-02T10:10:00.000Z'],
    ]);
    const lines = buildTimeline(log, { UALICE: 'alice', UBOB: 'bob' });
    const texts = lines.map((l) => l.text);
    expect(texts[0]).toMatch(/declared by alice/);
    expect(texts[1]).toMatch(/plain note/); // corrected to 10:02, before the 10:05 note
    expect(lines[1].at).toBe('2026-12-02 10:02:00 UTC');
    expect(texts[2]).toMatch(/failover done.*\[after\.png\]\(https:\/\/s\/after\)/);
    expect(texts.join('\n')).not.toMatch(/failover started|graph\.png/);
    expect(lines).toHaveLength(3); // the change records are folded into their entries
    const withDelete = [
      ...log,
      {
        type: 'NOTE_DELETED',
        entrySeq: 2,
        source: { channelId: 'C1', ts: '100.1' },
        incidentId: 'i1',
        orgId: 'T1',
        seq: 99,
        actor: 'slack',
        occurredAt: '2026-12-02T10:11:00.000Z',
      } as IncidentEvent,
    ];
    expect(applyTimelineChanges(withDelete).map((e) => e.seq)).toEqual([1, 3]);
  });
});

describe('typed times', () => {
  const now = new Date('2026-12-02T10:00:00Z');
  it('entry times: HH:MM on the reference day (UTC), ISO as given, rest refused', () => {
    expect(parseEntryTime('09:55', '2026-12-01T23:10:00.000Z')).toBe('2026-12-01T09:55:00.000Z');
    expect(parseEntryTime('2026-12-02T09:55+01:00', 'x')).toBe('2026-12-02T08:55:00.000Z');
    expect(parseEntryTime('2026-12-02 09:55', 'x')).toBe('2026-12-02T09:55:00.000Z');
    for (const bad of ['25:00', 'soon', '9.55', ''])
      expect(() => parseEntryTime(bad, now.toISOString())).toThrow(/not a time/);
  });
  it('since: durations, today’s clock (yesterday when still ahead), ISO; the future refused', () => {
    expect(parseSince('30m', now).toISOString()).toBe('2026-12-02T09:30:00.000Z');
    expect(parseSince('2h', now).toISOString()).toBe('2026-12-02T08:00:00.000Z');
    expect(parseSince('1h30m', now).toISOString()).toBe('2026-12-02T08:30:00.000Z');
    expect(parseSince('09:00', now).toISOString()).toBe('2026-12-02T09:00:00.000Z');
    expect(parseSince('11:00', now).toISOString()).toBe('2026-12-01T11:00:00.000Z');
    expect(parseSince('2026-12-02T07:00:00Z', now).toISOString()).toBe('2026-12-02T07:00:00.000Z');
    expect(() => parseSince('2026-12-03T07:00:00Z', now)).toThrow(/future/);
    expect(() => parseSince('yesterday-ish', now)).toThrow(/not a time or duration/);
  });
});
