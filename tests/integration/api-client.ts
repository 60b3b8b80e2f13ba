import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

/**
 * A small API client for the tests that holds every response to the served OpenAPI document: the
 * status must be declared for the operation, and the body must match its schema.
 */
type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components?: object;
};

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  raw: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (bad JSON, oversized bodies). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** Skip the document check (e.g. routes that are not in the API). */
  unchecked?: boolean;
}

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export async function apiClient(baseUrl: string) {
  const doc = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  const templates = Object.keys(doc.paths).map((p) => ({ p, re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
  const checked: string[] = [];

  function check(method: string, path: string, res: ApiResponse) {
    const bare = path.replace(/^\/api\/v1/, '').split('?')[0];
    const t = templates.find((x) => x.re.test(bare));
    expect(t, `${method} ${bare} is in the OpenAPI document`).toBeDefined();
    const op = doc.paths[t!.p][method.toLowerCase()];
    expect(op, `${method} ${t!.p} is in the OpenAPI document`).toBeDefined();
    const declared = op.responses[String(res.status)];
    expect(declared, `${method} ${t!.p} declares status ${res.status} (body ${res.raw.slice(0, 300)})`).toBeDefined();
    const type = (res.headers.get('content-type') ?? '').split(';')[0];
    const media = declared.content?.[type];
    expect(media, `${method} ${t!.p} ${res.status} declares ${type}`).toBeDefined();
    const key = `${method} ${t!.p} ${res.status} ${type}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ ...media!.schema, components: doc.components });
      compiled.set(key, validate);
    }
    const ok = validate(res.body);
    expect(ok, `${key}: ${JSON.stringify(validate.errors)} in ${res.raw.slice(0, 400)}`).toBe(true);
    checked.push(key);
  }

  async function call(method: string, path: string, o: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...o.headers,
    };
    let body: string | Buffer | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const r = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const raw = await r.text();
    let parsed: unknown = raw;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* not JSON */
    }
    const res = { status: r.status, headers: r.headers, body: parsed as any, raw };
    if (!o.unchecked) check(method, path, res);
    return res;
  }

  return { doc, call, checked };
}
