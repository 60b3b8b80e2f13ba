import { describe, expect, it } from 'vitest';
import {
  ago,
  heartbeatDeadline,
  heartbeatSignal,
  isMissed,
  parseHeartbeatSpec,
} from '../../../src/slos/heartbeat.policy';

describe('heartbeat policy', () => {
  it('reads the interval and grace from the name, defaults 5 min and 2 min', () => {
    expect(parseHeartbeatSpec('nightly-backup every 24h grace 30m')).toEqual({
      name: 'nightly-backup',
      intervalMs: 86_400_000,
      graceMs: 1_800_000,
    });
    expect(parseHeartbeatSpec('watchdog')).toEqual({ name: 'watchdog', intervalMs: 300_000, graceMs: 120_000 });
    expect(parseHeartbeatSpec(undefined, { interval: '30s', grace: '5s' })).toEqual({
      name: 'heartbeat',
      intervalMs: 30_000,
      graceMs: 5_000,
    });
  });

  it('refuses nonsense durations with a reason', () => {
    expect(() => parseHeartbeatSpec('x every soon')).toThrow('The interval "soon" is not a duration');
    expect(() => parseHeartbeatSpec('x every 30d')).toThrow('from 1s to 7d');
  });

  const h = {
    connectorId: 'con_1',
    orgId: 'T1',
    name: 'backup',
    intervalMs: 300_000,
    graceMs: 120_000,
    createdAt: '2026-12-03T10:00:00.000Z',
  };

  it('is missed only after interval + grace, counted from the last ping', () => {
    expect(heartbeatDeadline(h)).toBe(Date.parse('2026-12-03T10:07:00.000Z'));
    expect(isMissed(h, new Date('2026-12-03T10:07:00.000Z'))).toBe(false);
    expect(isMissed(h, new Date('2026-12-03T10:07:01.000Z'))).toBe(true);
    const pinged = { ...h, lastPingAt: '2026-12-03T10:05:00.000Z' };
    expect(isMissed(pinged, new Date('2026-12-03T10:08:00.000Z'))).toBe(false);
    expect(isMissed({ ...h, missedSince: '2026-12-03T10:07:00.000Z' }, new Date('2026-12-03T11:00:00.000Z'))).toBe(
      false,
    );
  });

  it('says for how long it has been silent', () => {
    const s = heartbeatSignal(
      { ...h, lastPingAt: '2026-12-03T10:00:00.000Z' },
      'firing',
      new Date('2026-12-03T10:07:00.000Z'),
      '2026-12-03T10:07:00.000Z',
    );
    expect(s.title).toBe('No heartbeat from backup for 7 min');
    expect(s).toMatchObject({
      severity: 'critical',
      source: 'heartbeat',
      fingerprint: 'heartbeat:con_1',
      status: 'firing',
    });
    expect(ago(45_000)).toBe('45 s');
    expect(ago(125 * 60_000)).toBe('2 h 05 min');
  });
});
