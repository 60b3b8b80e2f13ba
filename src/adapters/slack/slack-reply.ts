import type { Logger } from 'pino';
import { isDomainError } from '../../shared/domain-error';
import { isDatabaseUnavailable } from '../db/create-db';
import { isGitHubPrError } from '../github/github-pr.errors';
import { logDatabaseUnavailable } from '../http/db-unavailable';

/** Translate any failure into what the user sees: the domain's reason, or a short apology with a reference. */
export function errorText(e: unknown, logger: Logger, what: string): string {
  if (isDomainError(e)) return `:warning: ${e.reason}`;
  if (isGitHubPrError(e)) return `:warning: ${e.message}`;
  if (isDatabaseUnavailable(e)) {
    logDatabaseUnavailable(logger, e, what);
    return ':hourglass: The database is unavailable right now, so nothing was recorded. Please try again in a minute.';
  }
  const ref = Math.random().toString(36).slice(2, 8);
  logger.error({ err: e, ref }, `${what} failed`);
  return `:x: Something went wrong while handling ${what} (ref ${ref}). Nothing was changed; please try again.`;
}

type Respond = (msg: { text: string; response_type?: 'ephemeral'; replace_original?: boolean }) => Promise<unknown>;
type Ephemeral = { chat: { postEphemeral(a: { channel: string; user: string; text: string }): Promise<unknown> } };

/** An answer only the presser sees: through response_url, else as an ephemeral message in the channel. */
export async function tellUser(
  respond: unknown,
  client: Ephemeral,
  where: { channel?: string; user: string },
  text: string,
): Promise<void> {
  try {
    await (respond as Respond)({ text, response_type: 'ephemeral', replace_original: false });
  } catch {
    if (where.channel)
      await client.chat.postEphemeral({ channel: where.channel, user: where.user, text }).catch(() => undefined);
  }
}
