import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import type { DomainErrorCode } from '../../../shared/domain-error';

/** Codes the HTTP edge adds to the domain's own (`DomainErrorCode`). Stable: clients switch on them. */
export type EdgeCode =
  | 'unauthorized'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'idempotency_key_reused'
  | 'rate_limited'
  | 'internal_error';
export type ProblemCode = DomainErrorCode | EdgeCode;

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

export const DOMAIN_STATUS: Record<DomainErrorCode, ProblemStatus> = {
  invalid_input: 422, // a well-formed request the domain refused (schema problems are 400, below)
  not_found: 404,
  forbidden: 403,
  invalid_transition: 409,
  not_in_incident_channel: 422,
  conflict: 409,
  already_exists: 409,
  unavailable: 503,
};

const TITLES: Record<ProblemStatus, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:revenant:problem:invalid_transition' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ description: 'Stable machine-readable code (DomainError codes and edge codes).' }),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ in: z.string(), path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Every validation problem (400).' }),
    retryAfter: z.number().int().optional(),
  })
  .openapi('Problem');

export type ValidationIssue = { in: string; path: string; message: string };

/** RFC 9457 application/problem+json. */
export function problem(
  c: Context,
  status: ProblemStatus,
  code: ProblemCode,
  detail: string,
  extra: { errors?: ValidationIssue[]; retryAfter?: number } = {},
): Response {
  const body = {
    type: `urn:revenant:problem:${code}`,
    title: TITLES[status],
    status,
    detail,
    code,
    instance: c.req.path,
    ...extra,
  };
  // c.body keeps headers set earlier on the context (RateLimit-*, Retry-After).
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}
