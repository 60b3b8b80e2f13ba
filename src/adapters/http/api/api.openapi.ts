import { createRoute, type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isDomainError } from '../../../shared/domain-error';
import type { ApiEnv } from './api.guards';
import { DOMAIN_STATUS, problem, ProblemSchema } from './api.problem';

const PROBLEMS: Record<number, string> = {
  400: 'Validation problems (every one listed in `errors`), malformed JSON or a bad cursor',
  401: 'Missing, unknown, expired or revoked token',
  403: "The token's role may not do this",
  404: "Not found in the token's organisation (another org's ids answer this too)",
  409: 'Illegal transition or conflicting change, with the reason',
  413: 'Body over 1 MiB',
  415: 'Body is not application/json',
  422: 'Refused by the domain, or an Idempotency-Key reused with a different body',
  429: 'Rate limited; see Retry-After and RateLimit-* headers',
  500: 'Unexpected error; nothing was stored',
  503: 'Temporarily unavailable',
};
const READ_ERRORS = [400, 401, 403, 404, 429, 500];
const WRITE_ERRORS = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503];

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

const IdempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .optional()
    .openapi({
      param: { name: 'Idempotency-Key', in: 'header' },
      description: 'Same key and body within 24 h → the first response; another body → 422.',
    }),
});

export interface RouteSpec {
  method: 'get' | 'post' | 'patch' | 'put';
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodTypeAny;
  ok: { status: 200 | 201; schema: z.ZodTypeAny; description: string };
  security?: boolean;
}

/** One route, with every error it can answer declared as problem+json (tests hold responses to it). */
export function apiRoute(spec: RouteSpec) {
  const write = spec.method !== 'get';
  const responses: RouteConfig['responses'] = {
    [spec.ok.status]: { description: spec.ok.description, content: { 'application/json': { schema: spec.ok.schema } } },
  };
  for (const s of write ? WRITE_ERRORS : READ_ERRORS)
    responses[s] = { description: PROBLEMS[s], content: problemContent };
  return createRoute({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: [spec.tag],
    security: spec.security === false ? [] : [{ bearer: [] }],
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(write ? { headers: IdempotencyHeader } : {}),
      ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    },
    responses,
  });
}

type Handler = (c: Context<ApiEnv>) => Promise<Response>;

/** Register a handler; a DomainError becomes its problem+json status. */
export function register(api: OpenAPIHono<ApiEnv>, route: ReturnType<typeof apiRoute>, handler: Handler) {
  const wrapped: Handler = async (c) => {
    try {
      return await handler(c);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      return problem(c, DOMAIN_STATUS[e.code], e.code, e.reason);
    }
  };
  api.openapi(route, wrapped as never);
}

/** The validated input of a target (the route's zod schema already checked it). */
export const input = <T>(c: Context<ApiEnv>, target: 'json' | 'query' | 'param'): T =>
  (c.req as unknown as { valid(t: string): T }).valid(target);
