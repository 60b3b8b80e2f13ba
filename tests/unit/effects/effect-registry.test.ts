import { describe, expect, it } from 'vitest';
import { EFFECT_KINDS, effect, type EffectKind, parseEffectPayload, QUEUE_FREE_KINDS } from '../../../src/app/effects';
import {
  type DeliveredEffect,
  type DelivererRegistry,
  dispatchEffects,
} from '../../../src/adapters/outbox/effect-registry';
import type { OutboxRow } from '../../../src/adapters/outbox/outbox.worker';
import { channelNameCandidates } from '../../../src/adapters/slack/delivery/channel-create.delivery';
import { incidentChannelName } from '../../../src/incidents/channel-name';

const KINDS = Object.keys(EFFECT_KINDS) as EffectKind[];

/** A registry whose every deliverer records what it got: the table's completeness is the compiler's job. */
function recordingRegistry(seen: Array<DeliveredEffect<EffectKind>>): DelivererRegistry {
  const entries = KINDS.map((k) => [
    k,
    async (e: DeliveredEffect<EffectKind>) => (seen.push(e), { type: 'done' as const, result: { kind: k } }),
  ]);
  return Object.fromEntries(entries) as DelivererRegistry;
}

const row = (kind: string, payload: Record<string, unknown>, attempts = 1): OutboxRow => ({
  id: 7,
  org_id: 'T1',
  incident_id: 'inc-1',
  kind,
  payload,
  attempts,
});

describe('typed effects and the deliverer registry', () => {
  it('routes a row to its kind’s deliverer with the payload parsed (defaults applied)', async () => {
    const seen: Array<DeliveredEffect<EffectKind>> = [];
    const deliver = dispatchEffects(recordingRegistry(seen));
    const out = await deliver(row('incident.open_channel', { incidentId: 'inc-1', extra: 'dropped' }, 2));
    expect(out).toEqual({ type: 'done', result: { kind: 'incident.open_channel' } });
    expect(seen).toEqual([
      {
        id: 7,
        orgId: 'T1',
        incidentId: 'inc-1',
        kind: 'incident.open_channel',
        payload: { incidentId: 'inc-1', inviteUserIds: [] },
        attempts: 2,
      },
    ]);
  });

  it('fails a row of an unknown kind, or one whose payload does not fit its kind, without calling a deliverer', async () => {
    const seen: Array<DeliveredEffect<EffectKind>> = [];
    const deliver = dispatchEffects(recordingRegistry(seen));
    expect(await deliver(row('slack.shout', { incidentId: 'inc-1' }))).toEqual({
      type: 'failed',
      error: 'no handler for effect kind slack.shout',
    });
    const bad = await deliver(row('slack.post', { incidentId: 'inc-1', text: 42, thread: 'elsewhere' }));
    expect(bad.type).toBe('failed');
    expect(bad.type === 'failed' && bad.error).toMatch(/^invalid slack\.post payload: text .*; thread /);
    // A prototype key is not a kind.
    expect((await deliver(row('toString', {}))).type).toBe('failed');
    expect(seen).toHaveLength(0);
  });

  it('every kind round-trips what its constructor builds', () => {
    const built = [
      effect('slack.post', { incidentId: 'i', text: 'hi', thread: 'summary' }),
      effect('digest.post', { timezone: 'UTC', silentWhenEmpty: false, slot: 's', reason: 'manual' }),
      effect('reminder.post', { incidentId: 'i', slot: 's', interval: 60_000 }),
      effect('channel.unarchive', { incidentId: 'i' }),
    ];
    for (const e of built) {
      const parsed = parseEffectPayload(e.kind, JSON.parse(JSON.stringify(e.payload)));
      expect(parsed, e.kind).toEqual({ ok: true, payload: e.payload });
    }
  });

  it('the kinds that never hold an incident’s queue come from the table, not from the worker', () => {
    expect(QUEUE_FREE_KINDS).toContain('incident.sync_summary');
    expect(QUEUE_FREE_KINDS).toContain('incident.signal_rollup');
    expect(QUEUE_FREE_KINDS).not.toContain('slack.post');
    expect(QUEUE_FREE_KINDS).toEqual(KINDS.filter((k) => !EFFECT_KINDS[k].holdsQueue));
  });

  it('a registry without a deliverer for every kind does not compile', () => {
    const { 'digest.post': _left, ...partial } = recordingRegistry([]);
    // @ts-expect-error -- 'digest.post' is missing: the registry type requires every kind.
    const incomplete: DelivererRegistry = partial;
    expect(Object.keys(incomplete)).not.toContain('digest.post');
    // @ts-expect-error -- a planned effect's payload must fit its kind.
    effect('slack.invite', { incidentId: 'i', userIds: 'U1' });
  });
});

describe('channel names tried for an incident', () => {
  it('titled names first, then inc-<n>, then a code of the incident that is stable across retries', () => {
    const names = channelNameCandidates('inc', 22, 'Checkout latency spike', 'c0ffee-incident');
    expect(names.slice(0, 3)).toEqual([
      'inc-22-checkout-latency-spike',
      'inc-22-checkout-latency-spike-2',
      'inc-22-checkout-latency-spike-3',
    ]);
    expect(names.at(-2)).toBe('inc-22');
    expect(names.at(-1)).toMatch(/^inc-22-[0-9a-f]{6}$/);
    expect(channelNameCandidates('inc', 22, 'Checkout latency spike', 'c0ffee-incident')).toEqual(names);
    expect(channelNameCandidates('inc', 22, 'Checkout latency spike', 'other-incident').at(-1)).not.toBe(names.at(-1));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9_-]{1,80}$/);
  });

  it('a long title cut for the channel name keeps the attempts distinct (fuzz counterexample, seed 1037590300)', () => {
    const title = '0.5'.repeat(21);
    const names = [0, 1, 2, 3, 4, 5].map((a) => incidentChannelName('', 10_000_000_000, title, a));
    expect(new Set(names).size).toBe(names.length);
  });

  it('a title with nothing sluggable does not repeat inc-<n>', () => {
    const names = channelNameCandidates('inc', 5, '!!!', 'x');
    expect(names.filter((n) => n === 'inc-5')).toHaveLength(1);
  });
});
