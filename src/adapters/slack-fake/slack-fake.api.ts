import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlackMethodError } from './slack-fake.errors';
import type { FaultAction, FaultInjector } from './slack-fake.faults';
import { bearerToken, decodeForRecord, parseBody, readBody, sendJson } from './slack-fake.http';
import { tokenlessMethods } from './slack-fake-misc.methods';
import { METHODS } from './slack-fake.methods';
import type { FakeSlackState } from './slack-fake.state';
import type { FaultKind, Params, RecordedCall } from './slack-fake.types';

export interface ApiDeps {
  state: () => FakeSlackState;
  faults: FaultInjector;
  baseUrl: string;
  record: (call: Omit<RecordedCall, 'seq'>) => void;
  /** Tracks hang timers so close() can cancel them. */
  delay: (ms: number) => Promise<void>;
}

interface Outcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  fault?: FaultKind;
}

function errorBody(e: SlackMethodError): Record<string, unknown> {
  return e.messages.length > 0
    ? { ok: false, error: e.error, response_metadata: { messages: e.messages } }
    : { ok: false, error: e.error };
}

function runMethod(deps: ApiDeps, method: string, run: () => Record<string, unknown>): Outcome {
  try {
    const result = run();
    return { status: 200, body: { ok: true, ...result } };
  } catch (e) {
    if (e instanceof SlackMethodError) return { status: 200, body: errorBody(e) };
    // A bug in the fake must not look like a Slack refusal the product could swallow.
    console.error(`slack fake: ${method} crashed`, e);
    return { status: 200, body: { ok: false, error: 'fatal_error', response_metadata: { messages: [String(e)] } } };
  }
}

function faultOutcome(action: FaultAction): Outcome | undefined {
  switch (action.kind) {
    case 'error':
      return { status: 200, body: { ok: false, error: action.error } };
    case '429':
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(action.retryAfter) },
        fault: '429',
      };
    case '500':
      return { status: 500, body: { ok: false, error: 'internal_error' }, fault: '500' };
    case 'timeout':
      return undefined;
  }
}

function basicAuth(req: IncomingMessage): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization?.trim() ?? '');
  if (!m) return undefined;
  const [id, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
  return { id, secret: rest.join(':') };
}

/** One Web API call: parse, authenticate, maybe inject a fault, dispatch, record. */
export async function handleApiCall(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, method: string, query: URLSearchParams): Promise<void> {
  const at = Date.now();
  let params: Params = Object.fromEntries(query);
  try {
    const parsed = await parseBody(req.headers['content-type'], await readBody(req));
    params = decodeForRecord({ ...params, ...parsed.params });
  } catch {
    const isJson = (req.headers['content-type'] ?? '').includes('json');
    const body = { ok: false, error: isJson ? 'invalid_json' : 'invalid_form_data' };
    deps.record({ method, params, teamId: null, at, status: 200, response: body });
    return sendJson(res, 200, body);
  }
  const token = bearerToken(req, { ...Object.fromEntries(query), ...params });
  // oauth.v2.access authenticates with the client credentials, not a token.
  const tokenless = Object.hasOwn(tokenlessMethods, method) ? tokenlessMethods[method] : undefined;
  const team = token === undefined || tokenless ? undefined : deps.state().teamForToken(token);

  let outcome: Outcome | undefined;
  if (!tokenless) {
    if (!(method in METHODS)) outcome = { status: 200, body: { ok: false, error: 'unknown_method' } };
    else if (token === undefined) outcome = { status: 200, body: { ok: false, error: 'not_authed' } };
    else if (!team) outcome = { status: 200, body: { ok: false, error: deps.state().isRevoked(token) ? 'token_revoked' : 'invalid_auth' } };
  }

  let fault: FaultKind | undefined;
  if (!outcome && (team || tokenless)) {
    const action = deps.faults.next(method);
    if (action) {
      outcome = faultOutcome(action);
      if (action.kind === 'timeout') {
        fault = 'timeout';
        // Slow Slack: the call still happens, so a client that gave up may retry into a duplicate.
        await deps.delay(action.delayMs);
      }
    }
    outcome ??= tokenless
      ? runMethod(deps, method, () => tokenless({ state: deps.state(), params, basic: basicAuth(req), token }))
      : runMethod(deps, method, () => METHODS[method]({ state: deps.state(), team: team!, params, baseUrl: deps.baseUrl }));
  }
  const final = outcome ?? { status: 200, body: { ok: false, error: 'invalid_auth' } };
  const faultKind = final.fault ?? fault;
  deps.record({
    method,
    params,
    teamId: team?.id ?? (tokenless ? ((final.body.team as { id?: string } | undefined)?.id ?? null) : null),
    at,
    status: final.status,
    response: final.body,
    ...(faultKind ? { fault: faultKind } : {}),
  });
  sendJson(res, final.status, final.body, final.headers);
}
