import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from '../body-limit';
import type { AppDeps } from '../../../app/deps';
import { type ApiToken, authenticateToken } from '../../../app/api-tokens.service';
import { findStoredResponse, storeResponse } from '../../db/api-idempotency.repo';
import { presentedToken } from '../connectors.route';
import { problem } from './api.problem';

export type ApiEnv = { Variables: { token: ApiToken; idempotencyKey?: string } };

export const MAX_API_BODY_BYTES = 1024 * 1024;
/** Per token: 600 requests a minute on average, bursts of up to 120. */
export const RATE_LIMIT = { perMinute: 600, burst: 120 };

const WRITE = new Set(['POST', 'PATCH', 'PUT']);

/** `Authorization: Bearer <token>`: who is asking, with which role; 401 for anything else. */
export function apiAuth(deps: Pick<AppDeps, 'db' | 'now'>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.header('www-authenticate', 'Bearer realm="revenant"');
    const header = c.req.header('authorization');
    const secret = header && /^\s*bearer\s/i.test(header) ? presentedToken(header) : undefined;
    if (!secret)
      return problem(
        c,
        401,
        'unauthorized',
        'Send an API token as `Authorization: Bearer <token>` (create one with `revenant token create`).',
      );
    const check = await authenticateToken(deps.db, secret, deps.now());
    if (!check.ok) return problem(c, 401, 'unauthorized', check.detail);
    c.header('www-authenticate', undefined);
    c.set('token', check.token);
    await next();
  };
}

/** `orgId` in the path must be the token's org; anything else is "not found" (no existence leak). */
export const orgScope: MiddlewareHandler<ApiEnv> = async (c, next) => {
  // From the path itself: a middleware mounted on `/orgs/*` has no named params.
  const m = /\/orgs\/([^/]+)/.exec(c.req.path);
  const orgId = m ? decodeURIComponent(m[1]) : undefined;
  if (orgId !== undefined && orgId !== c.get('token').orgId)
    return problem(c, 404, 'not_found', 'No such organisation for this token.');
  await next();
};

/** A token bucket per API token, in this process (several processes each allow the documented rate). */
export function rateLimit(opts = RATE_LIMIT, now: () => number = Date.now): MiddlewareHandler<ApiEnv> {
  const perMs = opts.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const id = c.get('token').id;
    const t = now();
    const b = buckets.get(id) ?? { tokens: opts.burst, at: t };
    b.tokens = Math.min(opts.burst, b.tokens + (t - b.at) * perMs);
    b.at = t;
    buckets.set(id, b);
    if (buckets.size > 10_000) buckets.delete(buckets.keys().next().value as string);
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    c.header('ratelimit-limit', String(opts.burst));
    c.header('ratelimit-remaining', String(Math.floor(b.tokens)));
    c.header('ratelimit-reset', String(Math.ceil((opts.burst - b.tokens) / perMs / 1000)));
    c.header('ratelimit-policy', `${opts.burst};w=${Math.round(opts.burst / perMs / 1000)}`);
    if (!allowed) {
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
      c.header('retry-after', String(retryAfter));
      return problem(
        c,
        429,
        'rate_limited',
        `Over ${opts.perMinute} requests a minute (bursts of ${opts.burst}) for this token; retry in ${retryAfter} s.`,
        { retryAfter },
      );
    }
    await next();
  };
}

/** Stops reading a streamed body past 1 MiB (a chunked body has no Content-Length to check first). */
export const streamLimit: MiddlewareHandler<ApiEnv> = bodyLimit({
  maxSize: MAX_API_BODY_BYTES,
  onError: (c) => tooLarge(c),
});

/**
 * Bodies of writes: JSON only (415), at most 1 MiB (413), well-formed (400). Parsed once here; the
 * route's validator reads the cached body. An empty body is allowed (routes without a body).
 */
export const jsonBody: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (!WRITE.has(c.req.method)) return next();
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > MAX_API_BODY_BYTES) return tooLarge(c);
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > MAX_API_BODY_BYTES) return tooLarge(c);
  if (buf.byteLength === 0) return next();
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json')
    return problem(
      c,
      415,
      'unsupported_media_type',
      `Send the body as application/json (got ${type ? `“${type.slice(0, 80)}”` : 'no content type'}).`,
    );
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf));
  } catch (e) {
    return problem(c, 400, 'invalid_json', `The body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  await next();
};

function tooLarge(c: Parameters<MiddlewareHandler>[0]) {
  c.header('connection', 'close');
  return problem(c, 413, 'payload_too_large', `The body is over the ${MAX_API_BODY_BYTES} byte (1 MiB) limit.`);
}

/**
 * `Idempotency-Key` on writes: the same key and body within 24 h replay the first response; the same
 * key with another body is refused (422). The key also goes into the event log, so two racing copies
 * of one request still append once.
 */
export function idempotency(deps: Pick<AppDeps, 'db' | 'now'>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (!WRITE.has(c.req.method) || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      return problem(c, 400, 'invalid_input', 'Idempotency-Key must be 1-255 visible ASCII characters.', {
        errors: [{ in: 'header', path: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
      });
    }
    const token = c.get('token');
    const body = Buffer.from(await c.req.arrayBuffer());
    const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n`).update(body).digest('hex');
    const seen = await findStoredResponse(deps.db, token.id, key, deps.now());
    if (seen && seen.requestHash !== requestHash) {
      return problem(
        c,
        422,
        'idempotency_key_reused',
        'This Idempotency-Key was used within 24 hours for a different request; use a new key.',
      );
    }
    if (seen) {
      c.header('idempotent-replayed', 'true');
      return c.body(seen.body, seen.status as 200, {
        'content-type': seen.status >= 400 ? 'application/problem+json' : 'application/json',
      });
    }
    c.set('idempotencyKey', `api:${token.id}:${key}`);
    await next();
    // Server errors and rate limiting are not answers: a retry with the key should try again.
    if (c.res.status >= 500 || c.res.status === 429) return;
    const text = await c.res.clone().text();
    await storeResponse(deps.db, {
      tokenId: token.id,
      orgId: token.orgId,
      key,
      requestHash,
      status: c.res.status,
      body: text,
      now: deps.now(),
    });
  };
}
