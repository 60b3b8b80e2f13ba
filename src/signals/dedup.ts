import type { Signal } from './signal.types';

/**
 * Identity of one delivery of one alert state. Alertmanager re-sends a still-firing group every
 * `repeat_interval` (and again after a connection-reset retry) with the same fingerprint, status
 * and startsAt, so those collapse to one key; the resolution, or the next firing episode (new
 * startsAt), gets a new one. orgId and source are included because fingerprints are label hashes:
 * two organisations — or Alertmanager and Grafana — can produce the same one for different alerts.
 */
export function dedupKey(signal: Pick<Signal, 'orgId' | 'source' | 'fingerprint' | 'status' | 'startsAt'>): string {
  return [signal.orgId, signal.source, signal.fingerprint, signal.status, signal.startsAt].join('|');
}
