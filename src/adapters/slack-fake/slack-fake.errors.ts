import type { Params } from './slack-fake.types';

/** Thrown by method handlers; the server turns it into Slack's `{ ok: false, error }` body with HTTP 200. */
export class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    /** Slack's `response_metadata.messages`, e.g. `[ERROR] ... [json-pointer:/blocks/0]`. */
    readonly messages: string[] = [],
  ) {
    super(error);
    this.name = 'SlackMethodError';
  }
}

export function fail(error: string, messages?: string[]): never {
  throw new SlackMethodError(error, messages);
}

/** Form bodies carry everything as strings; JSON bodies may not. */
export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function bool(params: Params, key: string): boolean {
  const v = params[key];
  return v === true || v === 1 || v === 'true' || v === '1';
}

export function int(params: Params, key: string, fallback: number): number {
  const v = params[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

/** Requires a non-blank string, failing with Slack's generic missing-argument shape. */
export function required(params: Params, key: string, error = 'invalid_arguments'): string {
  const v = str(params, key);
  if (v === undefined || v.trim() === '') fail(error, [`[ERROR] missing required field: ${key}`]);
  return v;
}

/**
 * Decodes a JSON-valued argument. WebClient JSON-encodes objects into form fields,
 * while JSON bodies already carry objects.
 */
export function json(params: Params, key: string, error = 'invalid_arguments'): unknown {
  const v = params[key];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return fail(error, [`[ERROR] ${key} is not valid JSON [json-pointer:/${key}]`]);
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
