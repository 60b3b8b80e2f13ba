export type WatchStatus = 'AT_RISK' | 'BREACHED';

export interface WatchLogLine {
  level: string;
  message: string;
  timestamp: string;
}

/** An incident an entry is linked to (by the alert pipeline, or an open one on the same service). */
export interface LinkedIncident {
  id: string;
  number: number;
  status: string;
  channelId?: string;
}

/** One active watchlist entry, as the digest shows it. */
export interface WatchEntry {
  service: string;
  environment: string;
  status: WatchStatus;
  riskScore: number;
  source: string;
  title: string;
  logs: WatchLogLine[];
  firstDetectedAt: string;
  lastUpdatedAt: string;
  incident?: LinkedIncident;
}

/** What a button carries: which entry (the org always comes from Slack's signed envelope). */
export interface EntryRef {
  service: string;
  environment: string;
}

export const encodeEntryRef = (e: EntryRef) => JSON.stringify({ s: e.service, e: e.environment });

export function decodeEntryRef(value: string | undefined): EntryRef | undefined {
  try {
    const v = JSON.parse(value ?? '') as { s?: unknown; e?: unknown };
    return typeof v.s === 'string' && typeof v.e === 'string' ? { service: v.s, environment: v.e } : undefined;
  } catch {
    return undefined;
  }
}

/** Breached first, then at risk; within a group the riskiest, then the oldest. */
export function orderEntries<
  T extends Pick<WatchEntry, 'status' | 'riskScore' | 'firstDetectedAt' | 'service' | 'environment'>,
>(entries: T[]): T[] {
  const rank = (s: string) => (s === 'BREACHED' ? 0 : 1);
  return [...entries].sort(
    (a, b) =>
      rank(a.status) - rank(b.status) ||
      b.riskScore - a.riskScore ||
      a.firstDetectedAt.localeCompare(b.firstDetectedAt) ||
      a.service.localeCompare(b.service) ||
      a.environment.localeCompare(b.environment),
  );
}
