import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from './body-limit';
import type { AppDeps } from '../../app/deps';
import { createSignalIngestService, type IngestConnector } from '../../app/signal-ingest.service';
import { type DomainErrorCode, isDomainError } from '../../shared/domain-error';
import { tokenMatches } from '../db/connector.repo';
import { isConnectorKind } from '../../signals/normalisers';
import { lookupConnector } from './connector-lookup';
import type { RouteModule } from './http.app';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Grafana's signature header (the sender's default), and the older spelling in its docs. */
export const GRAFANA_SIGNATURE_HEADERS = ['x-grafana-alerting-signature', 'x-grafana-alert-signature'];
/** Grafana has no default timestamp header; these are the names its docs and provisioning examples use. */
export const GRAFANA_TIMESTAMP_HEADERS = ['x-grafana-alerting-timestamp', 'x-grafana-alerting-signature-timestamp'];
export const SIGNATURE_MAX_AGE_S = 5 * 60;

type Env = { Variables: { connector: IngestConnector; token: string } };

const problem = (c: Context, status: 400 | 401 | 404 | 409 | 413 | 503, error: string, message: string, extra: Record<string, unknown> = {}) =>
  c.json({ error, message, ...extra }, status);

/** The token from `Authorization: Bearer <token>`, or the password of HTTP Basic (any user name). */
export function presentedToken(header: string | undefined): string | undefined {
  const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(header ?? '');
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  if (scheme === 'bearer') return m[2];
  if (scheme === 'basic') {
    const decoded = Buffer.from(m[2], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

const safeEqualHex = (a: string, b: string) => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Grafana's optional HMAC: lowercase hex HMAC-SHA256 of the raw body, or of `<ts>:<body>` when a
 * timestamp header is sent (then refused when older than 5 minutes). The secret is the connector token.
 * Returns an error message, or undefined when there is no signature or it is good.
 */
export function checkGrafanaSignature(headers: (name: string) => string | undefined, raw: Buffer, secret: string, now: Date): string | undefined {
  const name = GRAFANA_SIGNATURE_HEADERS.find((h) => headers(h) !== undefined);
  if (!name) return undefined;
  const signature = (headers(name) ?? '').trim().toLowerCase();
  const tsHeader = GRAFANA_TIMESTAMP_HEADERS.find((h) => headers(h) !== undefined);
  const ts = tsHeader ? (headers(tsHeader) ?? '').trim() : undefined;
  const mac = createHmac('sha256', secret);
  if (ts !== undefined) {
    if (!/^\d+$/.test(ts)) return `${tsHeader} must be Unix seconds, got "${ts.slice(0, 40)}"`;
    if (Math.abs(now.getTime() / 1000 - Number(ts)) > SIGNATURE_MAX_AGE_S) return `${tsHeader} is more than ${SIGNATURE_MAX_AGE_S / 60} minutes from now: refused as a possible replay`;
    mac.update(`${ts}:`);
  }
  const expected = mac.update(raw).digest('hex');
  return safeEqualHex(signature, expected) ? undefined : `${name} does not match the body (HMAC-SHA256 with the connector token${ts !== undefined ? `, over "${tsHeader}:body"` : ''})`;
}

const STATUS: Partial<Record<DomainErrorCode, 400 | 409 | 503>> = { invalid_input: 400, conflict: 503, unavailable: 503 };

/**
 * `POST /connectors/:connectorId/webhook`. Answers 2xx only once every alert of the request is
 * durably recorded, and refuses a bad request before anything is stored. Alertmanager retries 5xx
 * and re-sends a 4xx-refused group forever, so only requests that can never succeed get a 4xx.
 */
export const connectorsRoute: RouteModule = (app, deps: AppDeps) => {
  const ingest = createSignalIngestService(deps);

  const authenticate: MiddlewareHandler<Env> = async (c, next) => {
    const id = c.req.param('connectorId') ?? '';
    const connector = await lookupConnector(c, deps.db);
    if (!connector) return problem(c, 404, 'unknown_connector', `No connector "${id.slice(0, 64)}". Create one with \`revenant connector add\` or \`/incident connector add\`.`);
    const token = presentedToken(c.req.header('authorization'));
    if (!token) return problem(c, 401, 'missing_token', 'Send the connector token as `Authorization: Bearer <token>` (or as the HTTP Basic password).');
    if (!tokenMatches(token, connector.tokenHash)) return problem(c, 401, 'bad_token', 'The token does not match this connector.');
    if (connector.revokedAt) return problem(c, 401, 'revoked_connector', `This connector was revoked at ${connector.revokedAt}; create a new one.`);
    const kind = isConnectorKind(connector.kind) ? connector.kind : 'generic';
    c.set('connector', { id: connector.id, orgId: connector.orgId, kind, privateOnly: connector.privateOnly });
    c.set('token', token);
    await next();
  };

  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => {
      // The unread rest of the body is still on the wire: close the connection rather than let a client reuse it.
      c.header('connection', 'close');
      return problem(c, 413, 'payload_too_large', `The body is over the ${MAX_BODY_BYTES} byte (1 MiB) limit; send fewer alerts per request (Alertmanager: max_alerts).`);
    },
  });

  const routes = new Hono<Env>();
  routes.post('/connectors/:connectorId/webhook', authenticate, limit, async (c) => {
    const connector = c.get('connector');
    const raw = Buffer.from(await c.req.arrayBuffer());
    const badSignature = checkGrafanaSignature((h) => c.req.header(h), raw, c.get('token'), deps.now());
    if (badSignature) return problem(c, 401, 'bad_signature', badSignature);

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      return problem(c, 400, 'invalid_json', `The body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      const r = await ingest.ingest(connector, body);
      if (r.warnings.length) deps.logger.warn({ connector: connector.id, warnings: r.warnings }, 'alert payload warnings');
      deps.metrics?.alertsAccepted.inc({ kind: connector.kind }, r.accepted);
      deps.metrics?.alertsDuplicate.inc({ kind: connector.kind }, r.duplicates);
      return c.json({ accepted: r.accepted, duplicates: r.duplicates, attached: r.attached, declared: r.declared, warnings: r.warnings }, 202);
    } catch (e) {
      if (!isDomainError(e)) throw e; // 500: nothing was stored, the sender retries
      const status = STATUS[e.code] ?? 400;
      return problem(c, status, e.code === 'invalid_input' ? 'invalid_payload' : e.code, e.reason);
    }
  });
  app.route('/', routes);
};
