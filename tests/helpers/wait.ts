/** Poll until `fn` returns a truthy value (work that happens after Slack's ack, a child process, a page). */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The same with the description first, as the end-to-end tests read. */
export const until = <T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000) => waitFor(fn, timeoutMs, what);
