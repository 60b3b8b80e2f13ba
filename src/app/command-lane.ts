/** A person's command in the last second counts as people typing. */
const COMMANDS_RECENT_MS = 1000;
/** The longest an alert group is held back for people: a stream of commands never starves alerts. */
const COMMANDS_MAX_HOLD_MS = 50;

/**
 * People's commands ahead of alert groups on a single-writer database (SQLite): the incident service holds
 * the next alert group while a person's unit of work waits or runs, and keeps groups short while people type
 * (`recent`). Everything passes straight through on Postgres.
 */
export function commandLane(singleWriter: boolean) {
  let active = 0;
  let last = -Infinity;
  let waiting: Array<() => void> = [];
  return {
    async run<T>(f: () => Promise<T>): Promise<T> {
      if (!singleWriter) return f();
      active++;
      last = performance.now();
      try {
        return await f();
      } finally {
        if (--active === 0) {
          const go = waiting;
          waiting = [];
          for (const w of go) w();
        }
      }
    },
    /** Until no command waits, or COMMANDS_MAX_HOLD_MS at most: a stream of commands never starves alerts. */
    idle: (): Promise<void> =>
      active === 0
        ? Promise.resolve()
        : new Promise((resolve) => {
            const timer = setTimeout(resolve, COMMANDS_MAX_HOLD_MS);
            waiting.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
    recent: () => singleWriter && performance.now() - last < COMMANDS_RECENT_MS,
  };
}
