import cron, { type ScheduledTask } from 'node-cron';
import { isValidTimeZone } from './time.format';

/**
 * Digest schedules are five-field cron expressions (minute precision) evaluated in the digest's
 * time zone. node-cron parses and matches them; no timer is started here.
 */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5)
    return `“${expr}” needs five fields (minute hour day-of-month month day-of-week), e.g. \`0 9 * * 1-5\`.`;
  if (!cron.validate(expr)) return `“${expr}” is not a valid cron expression.`;
  return undefined;
}

export const isValidDigestCron = (expr: string) => cronProblem(expr) === undefined;

const MAX_MATCHERS = 500;
const matchers = new Map<string, ScheduledTask>();

function matcher(expr: string, timeZone: string): ScheduledTask {
  const key = `${expr}|${timeZone}`;
  let t = matchers.get(key);
  if (!t) {
    if (matchers.size >= MAX_MATCHERS) {
      const [oldKey, old] = matchers.entries().next().value as [string, ScheduledTask];
      matchers.delete(oldKey);
      void old.destroy();
    }
    // A task that is never started: only its matcher is used.
    t = cron.createTask(expr, () => undefined, { timezone: timeZone, name: `revenant-match:${key}` });
    matchers.set(key, t);
  }
  return t;
}

/** Does the schedule fire in this minute? `slot` is the minute (seconds are ignored). */
export function firesAt(expr: string, timeZone: string, slot: Date): boolean {
  if (!isValidDigestCron(expr) || !isValidTimeZone(timeZone)) return false;
  const minute = new Date(Math.floor(slot.getTime() / 60_000) * 60_000);
  return matcher(expr, timeZone).match(minute);
}

/** The next few run times after `from` (for showing the settings). */
export function nextRuns(expr: string, timeZone: string, from: Date, count = 1): Date[] {
  if (!isValidDigestCron(expr) || !isValidTimeZone(timeZone)) return [];
  const out: Date[] = [];
  // Walk minute by minute over at most 8 days: enough for any weekly schedule, cheap enough to show on demand.
  let t = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 8 * 24 * 60 && out.length < count; i++, t += 60_000) {
    if (matcher(expr, timeZone).match(new Date(t))) out.push(new Date(t));
  }
  return out;
}
