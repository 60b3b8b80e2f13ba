import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, isValidSlackRequest } from '@slack/bolt';
import type { Logger } from 'pino';

export interface SlackBodyGuardOptions {
  signingSecret: string;
  /** Bytes; larger bodies get 413 (Bolt's own bodyLimit is never reached then). */
  limit: number;
  logger: Logger;
  /** Bolt's events endpoint. */
  path?: string;
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Bolt's HTTPReceiver reads `body.ssl_check` from whatever the body parses to: a correctly signed JSON
 * `null` (or form `payload=null`) throws inside its request handler, where nothing catches it. So the
 * body of `POST /slack/events` is read here first (Bolt reuses a request's `rawBody`) and only an object
 * reaches Bolt; a signed non-object is answered 400, an unsigned one 401 as Bolt would.
 * Resolves true when Bolt should take the request, false when it was answered here.
 */
export async function guardSlackBody(
  req: IncomingMessage,
  res: ServerResponse,
  o: SlackBodyGuardOptions,
): Promise<boolean> {
  const path = o.path ?? '/slack/events';
  if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== path) return true;
  const tooLarge = () => {
    o.logger.warn({ limit: o.limit }, 'Slack request body over the limit refused (413)');
    if (!res.headersSent) res.writeHead(413, { connection: 'close' }).end();
    return false;
  };
  if (Number(req.headers['content-length'] ?? 0) > o.limit) {
    req.resume();
    return tooLarge();
  }
  const raw = await readBody(req, o.limit);
  if (raw === 'too_large') return tooLarge();
  if (raw === 'aborted') return false;
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;

  let parsed: unknown;
  try {
    parsed = HTTPModuleFunctions.parseHTTPRequestBody(req as never);
  } catch {
    return true; // malformed: Bolt verifies the signature (401) and then refuses the body (400)
  }
  if (isPlainObject(parsed)) return true;
  const signature = req.headers['x-slack-signature'];
  const ts = Number(req.headers['x-slack-request-timestamp']);
  const signed =
    typeof signature === 'string' &&
    isValidSlackRequest({
      signingSecret: o.signingSecret,
      body: raw.toString('utf8'),
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts },
    });
  if (!signed) {
    res.writeHead(401).end();
    return false;
  }
  o.logger.warn(
    { bodyType: parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed },
    'signed Slack request whose body is not an object refused (400)',
  );
  res
    .writeHead(400, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: 'invalid_body', message: 'The request body must be a JSON object (or a form).' }));
  return false;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'too_large' | 'aborted') => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        finish('too_large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish(size > limit ? 'too_large' : 'aborted'));
  });
}
