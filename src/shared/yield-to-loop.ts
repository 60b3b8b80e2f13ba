import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Let timers and I/O run before continuing a long synchronous job. better-sqlite3 and Kysely's awaits
 * only resolve microtasks, so a big request would otherwise hold the event loop for its whole length.
 */
export const yieldToLoop = (): Promise<void> => nextTurn() as Promise<void>;

/** Calls `yieldToLoop` once at least `budgetMs` of work has passed since the last yield. */
export function loopBudget(budgetMs = 10) {
  let since = performance.now();
  return async function maybeYield(): Promise<void> {
    if (performance.now() - since < budgetMs) return;
    await yieldToLoop();
    since = performance.now();
  };
}
