import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible server for the tests: the real `openai` client talks to it
 * with `baseURL: fake.url`. It records every request and answers as told.
 */
export interface OpenAiFakeReply {
  /** Serialised as the message content (what `response_format: json_object` callers parse). */
  json?: unknown;
  /** Raw message content, used as is (wins over `json`). */
  content?: string;
  /** Answer with content that is not JSON. */
  invalidJson?: boolean;
  /** Wait this long before answering (to exercise client timeouts). */
  delayMs?: number;
  /** Answer with this HTTP status and an OpenAI-style error body instead (e.g. 500, 429). */
  status?: number;
  model?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface OpenAiFakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** The raw body text, handy for "the prompt never contains X" assertions. */
  raw: string;
}

export interface OpenAiFake {
  /** `http://127.0.0.1:<port>/v1` — pass as the client's `baseURL`. */
  readonly url: string;
  readonly port: number;
  readonly requests: OpenAiFakeRequest[];
  /** The default reply for every following chat completion (or a function of the request). */
  respondWith(reply: OpenAiFakeReply | ((req: OpenAiFakeRequest) => OpenAiFakeReply)): void;
  /** Queue a reply used by the next chat completion only (before the default). */
  respondOnce(reply: OpenAiFakeReply): void;
  /** Forget requests, queued replies and the default reply. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_MODEL = 'fake-gpt';
const DEFAULT_REPLY: OpenAiFakeReply = { json: {} };
const MAX_BODY = 4 * 1024 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const errorBody = (status: number, message: string) => ({
  error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null },
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function completion(reply: OpenAiFakeReply, requestedModel: unknown): unknown {
  const content = reply.content ?? (reply.invalidJson ? '{"actions": [ this is not json' : JSON.stringify(reply.json ?? {}));
  const usage = reply.usage ?? { prompt_tokens: 100, completion_tokens: Math.ceil(content.length / 4) };
  return {
    id: `chatcmpl-fake-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? (typeof requestedModel === 'string' ? requestedModel : FAKE_MODEL),
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export async function startOpenAiFake(opts: { port?: number } = {}): Promise<OpenAiFake> {
  const requests: OpenAiFakeRequest[] = [];
  const queue: OpenAiFakeReply[] = [];
  let fallback: OpenAiFakeReply | ((req: OpenAiFakeRequest) => OpenAiFakeReply) = DEFAULT_REPLY;
  const timers = new Set<NodeJS.Timeout>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return sendJson(res, 413, errorBody(413, 'request too large'));
    }
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // keep the raw text: recorded as sent
    }
    const recorded: OpenAiFakeRequest = { method: req.method ?? 'GET', path, headers: { ...req.headers }, body, raw };
    requests.push(recorded);

    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: FAKE_MODEL, object: 'model', created: 0, owned_by: 'revenant-fake' }] });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(res, 404, errorBody(404, `no route ${req.method} ${path}`));
    }
    if (typeof body !== 'object' || body === null) return sendJson(res, 400, errorBody(400, 'body must be JSON'));
    const { stream, model } = body as { stream?: unknown; model?: unknown };
    if (stream) return sendJson(res, 400, errorBody(400, 'the fake does not stream'));

    const reply = queue.shift() ?? (typeof fallback === 'function' ? fallback(recorded) : fallback);
    if (reply.delayMs) await wait(reply.delayMs);
    if (res.destroyed || req.socket.destroyed) return; // the client gave up (timeout) while we waited
    if (reply.status && reply.status >= 400) return sendJson(res, reply.status, errorBody(reply.status, `fake error ${reply.status}`));
    return sendJson(res, 200, completion(reply, model));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(500, e instanceof Error ? e.message : String(e)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    respondWith(reply) {
      fallback = reply;
    },
    respondOnce(reply) {
      queue.push(reply);
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
      fallback = DEFAULT_REPLY;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
