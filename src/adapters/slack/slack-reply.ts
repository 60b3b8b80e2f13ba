import type { Logger } from 'pino';
import { isDomainError } from '../../shared/domain-error';
import { isGitHubPrError } from '../github/github-pr.errors';

/** Translate any failure into what the user sees: the domain's reason, or a short apology with a reference. */
export function errorText(e: unknown, logger: Logger, what: string): string {
  if (isDomainError(e)) return `:warning: ${e.reason}`;
  if (isGitHubPrError(e)) return `:warning: ${e.message}`;
  const ref = Math.random().toString(36).slice(2, 8);
  logger.error({ err: e, ref }, `${what} failed`);
  return `:x: Something went wrong while handling ${what} (ref ${ref}). Nothing was changed; please try again.`;
}
