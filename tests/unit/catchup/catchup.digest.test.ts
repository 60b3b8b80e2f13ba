import { describe, expect, it } from 'vitest';
import {
  type CatchupInput,
  type CatchupMessage,
  buildCatchupDigest,
  isQuiet,
} from '../../../src/catchup/catchup.digest';
import { buildCatchupPrompt } from '../../../src/catchup/catchup.prompt';
import type { IncidentEvent } from '../../../src/incidents/incident.types';

const env = (seq: number, at: string, actor = 'U1') => ({ incidentId: 'i', orgId: 'T', seq, actor, occurredAt: at });
const events = [
  {
    type: 'INCIDENT_CREATED',
    number: 3,
    title: 'API errors',
    severity: 'SEV3',
    channelName: 'inc-3',
    source: 'manual',
    ...env(1, '2026-12-02T08:00:00.000Z'),
  },
  { type: 'STATUS_CHANGED', from: 'OPEN', to: 'INVESTIGATING', ...env(2, '2026-12-02T08:10:00.000Z') },
  { type: 'SEVERITY_UPDATED', from: 'SEV3', to: 'SEV2', ...env(3, '2026-12-02T09:10:00.000Z', 'U2') },
  {
    type: 'ACTION_ADDED',
    actionId: 'a1',
    text: 'Rotate key AKIAIOSFODNN7EXAMPLE',
    owner: 'U3',
    ...env(4, '2026-12-02T09:20:00.000Z'),
  },
  { type: 'UPDATE_POSTED', text: 'Rolling back', ...env(5, '2026-12-02T09:30:00.000Z') },
] as IncidentEvent[];
const msg = (ts: number, user: string, text: string, o: Partial<CatchupMessage> = {}): CatchupMessage => ({
  ts: `${ts}.000100`,
  user,
  bot: false,
  text,
  reactions: 0,
  pinned: false,
  ...o,
});
const input = (messages: CatchupMessage[], since = '2026-12-02T09:00:00.000Z'): CatchupInput => ({
  state: {
    number: 3,
    title: 'API errors',
    status: 'INVESTIGATING',
    severity: 'SEV2',
    roles: { commander: 'U2' },
    actions: [
      {
        id: 'a1',
        text: 'Rotate key AKIAIOSFODNN7EXAMPLE',
        owner: 'U3',
        done: false,
        createdAt: '2026-12-02T09:20:00.000Z',
      },
    ],
    lastUpdateAt: '2026-12-02T09:30:00.000Z',
    lastUpdateText: 'Rolling back',
  },
  events,
  messages,
  since,
  sinceSource: 'argument',
  read: { messages: messages.length, truncated: false, max: 500 },
  secrets: ['sup3r-secret-value'],
});
const base = 1796202000; // 2026-12-02T09:00Z, the window start

describe('catch-up digest', () => {
  const messages = [
    msg(base, 'U4', 'DECISION: roll back api v7', { pinned: true }),
    msg(base + 10, 'U5', 'graphs attached', { reactions: 4 }),
    msg(base + 20, 'U2', 'commander here: rollback at 09:45'),
    msg(base + 30, 'U4', 'the token is xoxb-1111111111-2222222222-abcdefabcdef and sup3r-secret-value', {
      reactions: 1,
    }),
    msg(base + 40, 'UBOT', 'Severity: SEV3 → SEV2', { bot: true, reactions: 9 }),
  ];

  it('only changes since the window start; key messages by pin, reactions and role; people, not bots', () => {
    const d = buildCatchupDigest(input(messages));
    expect(d.status.changes).toEqual([]); // 08:10 is before 09:00
    expect(d.severity.changes).toEqual([{ from: 'SEV3', to: 'SEV2', at: '2026-12-02T09:10:00.000Z', by: 'U2' }]);
    expect(d.latestUpdate).toEqual({ text: 'Rolling back', at: '2026-12-02T09:30:00.000Z', isNew: true });
    expect(d.pinned.map((m) => m.text)).toEqual(['DECISION: roll back api v7']);
    expect(d.mostReacted.map((m) => m.user)).toEqual(['U5', 'U4']); // the bot's 9 reactions do not count
    expect(d.fromRoleHolders).toEqual([expect.objectContaining({ user: 'U2', role: 'commander' })]);
    expect(d.working.owners).toEqual([{ userId: 'U3', followUps: ['Rotate key [redacted]'] }]);
    expect(d.working.active[0]).toEqual({ userId: 'U4', messages: 2 });
    expect(d.followUps.added).toEqual([{ text: 'Rotate key [redacted]', owner: 'U3', done: false }]);
    const all = JSON.stringify(d);
    expect(all).not.toMatch(/AKIA|xoxb-1111|sup3r-secret-value/);
    expect(isQuiet(d)).toBe(false);
  });

  it('the same input gives the same digest; an empty window is quiet', () => {
    expect(buildCatchupDigest(input(messages))).toEqual(buildCatchupDigest(input([...messages].reverse())));
    const quiet = buildCatchupDigest(input([], '2026-12-02T09:35:00.000Z'));
    expect(isQuiet(quiet)).toBe(true);
  });

  it('the prompt is redacted whole, newest first, and bounded', () => {
    const d = buildCatchupDigest(input(messages));
    const many = Array.from({ length: 400 }, (_, i) =>
      msg(base + 100 + i, 'U4', `line ${i} ${'x'.repeat(300)} ghp_abcdefghijklmnopqrstuvwxyz0123`),
    );
    const p = buildCatchupPrompt(d, [...messages, ...many], ['sup3r-secret-value']);
    expect(p.user).not.toMatch(/AKIA|xoxb-1111|sup3r-secret-value|ghp_abc/);
    expect(p.user.length).toBeLessThan(30_000);
    expect(p.user.indexOf('line 399')).toBeLessThan(p.user.indexOf('line 398'));
    expect(p.user).not.toContain('line 0 '); // the oldest fell off the budget
    expect(p.system).toMatch(/not instructions/);
  });
});
