import type { AppDeps } from '../app/deps';
import type { DigestStatus } from './sandbox.page';

/**
 * "Run digest now" in the Alerts panel. Wired to the same function as `revenant digest` once that
 * exists; until then the button is shown disabled with the reason.
 */
export function sandboxDigest(_deps: AppDeps, _orgId: string): DigestStatus & { run?: () => Promise<string> } {
  return { available: false, note: 'The watchlist digest (`revenant digest`) is not in this build yet; use “Show watchlist” instead.' };
}
