import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit as streamedBodyLimit } from 'hono/body-limit';

interface BodyLimitOptions<E extends Env> {
  maxSize: number;
  onError: (c: Context<E>) => Response | Promise<Response>;
}

/**
 * Hono's `bodyLimit`, answered from Content-Length when there is one. Hono's own first reads
 * `c.req.raw.body`, which makes @hono/node-server build a whole web `Request` (a ReadableStream, an
 * AbortSignal) and then read the body through it: ~8 % of the bot's CPU per single alert. Node's parser
 * never reads past a Content-Length, so checking the header is enough; a chunked body (no length, or
 * Transfer-Encoding) is still counted as it streams, by Hono's.
 */
export function bodyLimit<E extends Env>(options: BodyLimitOptions<E>): MiddlewareHandler<E> {
  const streamed = streamedBodyLimit(options as Parameters<typeof streamedBodyLimit>[0]) as MiddlewareHandler<E>;
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    if (Number.parseInt(length, 10) > options.maxSize) return options.onError(c);
    await next();
  };
}
