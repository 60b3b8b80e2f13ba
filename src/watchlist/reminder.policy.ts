import { isOpenStatus, SEVERITIES, type Severity } from '../incidents/incident.types';

/** How long an open incident may go without a status update, per severity (ms). Missing = never remind. */
export type ReminderIntervals = Partial<Record<Severity, number>>;

const MIN = 60_000;
export const DEFAULT_REMINDER_INTERVALS: ReminderIntervals = { SEV1: 30 * MIN, SEV2: 60 * MIN, SEV3: 240 * MIN };
export const SNOOZE_MS = 60 * MIN;

const UNITS: Record<string, number> = { m: MIN, min: MIN, h: 60 * MIN, d: 24 * 60 * MIN };

/** `30m`, `90min`, `4h`, `1d`; `off`/`0`/`none` disables. Throws with a readable reason. */
export function parseInterval(word: string): number | undefined {
  const w = word.trim().toLowerCase();
  if (w === 'off' || w === 'none' || w === '0') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/.exec(w);
  if (!m) throw new Error(`“${word}” is not an interval; use e.g. 30m, 4h or off`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2]]);
  if (ms < MIN) throw new Error(`“${word}” is shorter than a minute`);
  return ms;
}

/**
 * `SEV1=30m,SEV2=60m,SEV3=4h`: the severities given replace the defaults; `SEV4=2h` turns SEV4 on,
 * `SEV3=off` turns SEV3 off.
 */
export function parseReminderIntervals(spec: string | undefined): ReminderIntervals {
  const out: ReminderIntervals = { ...DEFAULT_REMINDER_INTERVALS };
  for (const part of (spec ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [k, v, ...extra] = part.split('=');
    const sev = k?.trim().toUpperCase() as Severity;
    if (!(SEVERITIES as readonly string[]).includes(sev) || v === undefined || extra.length)
      throw new Error(`“${part}” should look like SEV1=30m`);
    const ms = parseInterval(v);
    if (ms === undefined) delete out[sev];
    else out[sev] = ms;
  }
  return out;
}

export interface ReminderSubject {
  status: string;
  severity: string;
  createdAt: string;
  lastUpdateAt?: string | null;
}

/**
 * Is a reminder due at `now`? Reminders fall at base + k·interval (base = the last update, else the
 * creation); the slot is the latest such time, so one that was missed while down is sent once, not replayed.
 */
export function reminderDue(
  inc: ReminderSubject,
  intervals: ReminderIntervals,
  now: Date,
  snoozedUntil?: string,
): { slot: string; interval: number; base: string } | undefined {
  if (!isOpenStatus(inc.status)) return undefined;
  const interval = intervals[inc.severity as Severity];
  if (!interval) return undefined;
  if (snoozedUntil && Date.parse(snoozedUntil) > now.getTime()) return undefined;
  const base = inc.lastUpdateAt ?? inc.createdAt;
  const elapsed = now.getTime() - Date.parse(base);
  if (!Number.isFinite(elapsed) || elapsed < interval) return undefined;
  const k = Math.floor(elapsed / interval);
  return { slot: new Date(Date.parse(base) + k * interval).toISOString(), interval, base };
}

export function intervalLabel(ms: number): string {
  if (ms % (24 * 60 * MIN) === 0) return `${ms / (24 * 60 * MIN)} d`;
  if (ms % (60 * MIN) === 0) return `${ms / (60 * MIN)} h`;
  return `${Math.round(ms / MIN)} min`;
}
