import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from './slack-fake.types';

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export interface ParsedBody {
  params: Params;
  /** Binary parts of multipart bodies (file uploads), by field name. */
  files: Record<string, Buffer>;
}

/** Parses the three encodings Slack accepts: form, JSON and multipart. */
export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (raw.length === 0) return { params: {}, files: {} };
  if (type === 'application/json') {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('JSON body must be an object');
    return { params: parsed as Params, files: {} };
  }
  if (type === 'multipart/form-data') {
    // The WHATWG Request parser handles boundaries for us.
    const form = await new Request('http://slack-fake.local/', {
      method: 'POST',
      headers: { 'content-type': contentType ?? '' },
      body: raw,
    }).formData();
    const params: Params = {};
    const files: Record<string, Buffer> = {};
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') params[key] = value;
      else files[key] = Buffer.from(await value.arrayBuffer());
    }
    return { params, files };
  }
  // Slack treats anything else (form, text/plain, missing) as urlencoded.
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) params[key] = value;
  return { params, files: {} };
}

export function bearerToken(req: IncomingMessage, params: Params): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  return typeof params.token === 'string' && params.token !== '' ? params.token : undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Known JSON-valued args are decoded before recording so `calls` show objects, not strings. */
const JSON_ARGS = ['blocks', 'attachments', 'view', 'metadata', 'files', 'unfurls', 'user_auth_blocks'];

export function decodeForRecord(params: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'token') continue;
    if (JSON_ARGS.includes(k) && typeof v === 'string') {
      try {
        out[k] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // Keep the raw string; the method handler reports the format error.
      }
    }
    out[k] = v;
  }
  return out;
}
