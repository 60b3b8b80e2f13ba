/**
 * Times are stored in UTC and shown in a reader's time zone. Pure: the caller passes `now`.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function cached(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

const dateFormatter = (timeZone: string, withYear: boolean) =>
  cached(
    `date|${timeZone}|${withYear}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        ...(withYear ? { year: 'numeric' } : {}),
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
  );

/** A zone abbreviation people know (EST, CET, BST…): each locale only names its own region's zones, so ask two, else `GMT+8`. */
function zoneName(d: Date, timeZone: string): string {
  const names = ['en-US', 'en-GB'].map(
    (locale) =>
      cached(`zone|${locale}|${timeZone}`, () => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }))
        .formatToParts(d)
        .find((p) => p.type === 'timeZoneName')?.value ?? '',
  );
  return names.find((n) => /^[A-Z]{2,5}$/.test(n)) ?? names[1] ?? timeZone;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `Mon 3 Mar, 10:00 CET` in the given zone; the year only when it differs from `now`'s. */
export function absoluteTime(iso: string, timeZone: string, now?: Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const tz = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  const withYear = now !== undefined && d.getUTCFullYear() !== now.getUTCFullYear();
  return `${dateFormatter(tz, withYear).format(d)} ${zoneName(d, tz)}`;
}

/** `45 min`, `2 h 5 min`, `3 d 4 h`: how long from `iso` to `now`. */
export function duration(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return 'less than a minute';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export function relativeAge(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 60_000) return 'just now';
  return `${duration(ms)} ago`;
}

/** `since Mon 3 Mar, 10:00 CET (2 h 5 min ago)`. */
export function sinceText(iso: string, now: Date, timeZone: string): string {
  return `since ${absoluteTime(iso, timeZone, now)} (${relativeAge(iso, now)})`;
}

/** The minute a time falls in, as an ISO UTC string: the unit of scheduling. */
export function minuteSlot(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** `09:04:12` in the given zone, for log lines next to a full timestamp. */
export function clockTime(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const tz = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  let f = clocks.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    clocks.set(tz, f);
  }
  return f.format(d);
}
