import type { Context } from 'hono';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/create-db';

/** Seconds a sender is asked to wait before retrying while the database is away. */
export const DB_RETRY_AFTER_S = 5;

export const DB_UNAVAILABLE_MESSAGE =
  'The database cannot be reached or written right now; nothing was stored. Retry shortly.';

/** The operator's line: which error, and that nothing of the request was committed. */
export function logDatabaseUnavailable(logger: Logger, err: unknown, where: string): void {
  const e = err as { code?: string; message?: string };
  logger.error(
    { code: e?.code, error: e?.message, where },
    'database unavailable: request refused with 503, nothing stored',
  );
}

/**
 * The one mapping from "database unreachable / unwritable" to HTTP: 503 with Retry-After, so
 * Alertmanager, Grafana and the rest retry, and nothing is ever acknowledged that was not committed.
 * Returns undefined for any other error (the caller's 500 path).
 */
export function databaseUnavailableResponse(c: Context, err: unknown, logger: Logger): Response | undefined {
  if (!isDatabaseUnavailable(err)) return undefined;
  logDatabaseUnavailable(logger, err, c.req.routePath || c.req.path);
  c.header('retry-after', String(DB_RETRY_AFTER_S));
  return c.json({ error: 'database_unavailable', message: DB_UNAVAILABLE_MESSAGE }, 503);
}
