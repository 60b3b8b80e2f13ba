import { DomainError } from './domain-error';

/**
 * Times people type in chat: `09:55` / `9:55:30` (UTC, on a reference day), an ISO 8601 timestamp,
 * or (for "since") a duration back from now: `30m`, `2h`, `1d`, `1h30m`.
 */
const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/i;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const invalid = (input: string, what: string) =>
  new DomainError(
    'invalid_input',
    `“${input}” is not ${what}. Use HH:MM (UTC), an ISO 8601 time like 2026-12-02T09:55Z${what === 'a time' ? '' : ', or 30m / 2h'}.`,
  );

function clockOn(m: RegExpExecArray, day: Date): Date {
  const d = new Date(
    Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(m[1]), Number(m[2]), Number(m[3] ?? 0)),
  );
  return d;
}

function iso(input: string): Date | undefined {
  if (!ISO.test(input)) return undefined;
  // A bare date-time without zone is read as UTC, like the HH:MM form.
  const zoned =
    /[T ]\d{2}:\d{2}/.test(input) && !/(Z|[+-]\d{2}:?\d{2})$/.test(input) ? `${input.replace(' ', 'T')}Z` : input;
  const d = new Date(zoned);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** An entry's new time: HH:MM on the same UTC day as `reference`, or an ISO timestamp. */
export function parseEntryTime(input: string, reference: string): string {
  const t = input.trim();
  const m = CLOCK.exec(t);
  if (m) return clockOn(m, new Date(reference)).toISOString();
  const d = iso(t);
  if (!d) throw invalid(t, 'a time');
  return d.toISOString();
}

/** "Since when": a duration back from `now`, HH:MM today (yesterday if that is still ahead), or ISO. */
export function parseSince(input: string, now: Date): Date {
  const t = input.trim();
  const dur = DURATION.exec(t);
  if (t && dur && (dur[1] || dur[2] || dur[3])) {
    const ms = ((Number(dur[1] ?? 0) * 24 + Number(dur[2] ?? 0)) * 60 + Number(dur[3] ?? 0)) * 60_000;
    return new Date(now.getTime() - ms);
  }
  const m = CLOCK.exec(t);
  if (m) {
    const today = clockOn(m, now);
    return today.getTime() > now.getTime() ? new Date(today.getTime() - 86_400_000) : today;
  }
  const d = iso(t);
  if (!d) throw invalid(t, 'a time or duration');
  if (d.getTime() > now.getTime()) throw new DomainError('invalid_input', `${d.toISOString()} is in the future.`);
  return d;
}
