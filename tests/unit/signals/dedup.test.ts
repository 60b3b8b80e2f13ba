import { describe, expect, it } from 'vitest';
import { dedupKey } from '../../../src/signals/dedup';

const base = {
  orgId: 'org-1',
  source: 'alertmanager',
  fingerprint: '236b3b7ac20fbbb6',
  status: 'firing' as const,
  startsAt: '2026-11-21T23:27:00.854Z',
};

describe('dedupKey', () => {
  it('is the same for a repeated notification of one alert state', () => {
    expect(dedupKey(base)).toBe(dedupKey({ ...base }));
  });

  it('changes with status, episode (startsAt), organisation and sender', () => {
    const key = dedupKey(base);
    expect(dedupKey({ ...base, status: 'resolved' })).not.toBe(key);
    expect(dedupKey({ ...base, startsAt: '2026-11-22T01:00:00.000Z' })).not.toBe(key);
    expect(dedupKey({ ...base, orgId: 'org-2' })).not.toBe(key);
    expect(dedupKey({ ...base, source: 'grafana' })).not.toBe(key);
  });
});
