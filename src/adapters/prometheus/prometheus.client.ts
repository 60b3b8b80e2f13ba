/**
 * Prometheus's HTTP API, instant queries only (`GET /api/v1/query?query=…&time=…`). Every way it can fail
 * (down, slow, an error answer, no data, NaN, several series) is a PrometheusError with a sentence an
 * operator can act on; the SLO service turns it into an "unknown" evaluation, never a healthy one.
 */

export interface PrometheusOptions {
  url: string;
  bearerToken?: string;
  /** `user:password` for HTTP Basic. */
  basicAuth?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class PrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusError';
  }
}

export interface PrometheusClient {
  readonly url: string;
  /** The single number a query gives at `time`; throws PrometheusError otherwise. */
  instant(query: string, time: Date): Promise<number>;
}

type Sample = [number, string];
interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
  warnings?: string[];
}

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

function valueOf(query: string, data: ApiAnswer['data']): number {
  const q = clip(query, 120);
  let raw: string | undefined;
  if (data?.resultType === 'scalar') raw = (data.result as Sample | undefined)?.[1];
  else if (data?.resultType === 'vector') {
    const result = (data.result ?? []) as Array<{ value?: Sample }>;
    if (result.length === 0)
      throw new PrometheusError(
        `"${q}" returned no data (an empty vector): check the metric names, or append "or vector(0)"`,
      );
    if (result.length > 1)
      throw new PrometheusError(`"${q}" returned ${result.length} series; aggregate it to one (e.g. sum(...))`);
    raw = result[0].value?.[1];
  } else throw new PrometheusError(`"${q}" returned a ${String(data?.resultType)}, not a vector or scalar`);
  if (raw !== undefined && /^[+-]?Inf$/i.test(raw)) throw new PrometheusError(`"${q}" returned ${raw}`);
  const n = Number(raw);
  if (raw === undefined || raw === '' || Number.isNaN(n))
    throw new PrometheusError(`"${q}" returned NaN (no traffic in a ratio?)`);
  if (!Number.isFinite(n)) throw new PrometheusError(`"${q}" returned ${raw}`);
  return n;
}

export function createPrometheusClient(o: PrometheusOptions): PrometheusClient {
  // Credentials written into the URL become HTTP Basic (fetch refuses such URLs), and never reach a message:
  // messages are stored and shown in Slack.
  const parsed = new URL(o.url);
  const fromUrl = parsed.username
    ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`
    : undefined;
  parsed.username = '';
  parsed.password = '';
  const base = parsed.toString().replace(/\/+$/, '');
  const basic = o.basicAuth ?? fromUrl;
  const doFetch = o.fetch ?? fetch;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.bearerToken) headers.authorization = `Bearer ${o.bearerToken}`;
  else if (basic) headers.authorization = `Basic ${Buffer.from(basic, 'utf8').toString('base64')}`;

  async function instant(query: string, time: Date): Promise<number> {
    const params = new URLSearchParams({ query, time: (time.getTime() / 1000).toFixed(3) });
    let res: Response;
    try {
      res = await doFetch(`${base}/api/v1/query?${params}`, { headers, signal: AbortSignal.timeout(o.timeoutMs) });
    } catch (e) {
      const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError')
        throw new PrometheusError(
          `Prometheus at ${base} did not answer within ${o.timeoutMs} ms (PROMETHEUS_TIMEOUT_MS)`,
        );
      throw new PrometheusError(
        `Prometheus at ${base} is unreachable: ${err.cause?.code ?? err.cause?.message ?? err.message}`,
      );
    }
    let body: ApiAnswer | undefined;
    let text = '';
    try {
      text = await res.text();
      body = JSON.parse(text) as ApiAnswer;
    } catch (e) {
      if ((e as { name?: string }).name === 'TimeoutError')
        throw new PrometheusError(
          `Prometheus at ${base} did not answer within ${o.timeoutMs} ms (PROMETHEUS_TIMEOUT_MS)`,
        );
      throw new PrometheusError(
        `Prometheus at ${base} answered ${res.status} without JSON: ${clip(text.trim(), 120)}`,
      );
    }
    if (res.status === 401 || res.status === 403)
      throw new PrometheusError(
        `Prometheus at ${base} refused the credentials (${res.status}); check PROMETHEUS_BEARER_TOKEN / PROMETHEUS_BASIC_AUTH`,
      );
    if (body?.status !== 'success')
      throw new PrometheusError(
        `Prometheus refused "${clip(query, 120)}" (${body?.errorType ?? res.status}): ${clip(body?.error ?? 'no error text')}`,
      );
    return valueOf(query, body.data);
  }

  return { url: base, instant };
}
