import { createHash, createHmac } from 'node:crypto';

/**
 * Request bodies the load generator sends: Slack-signed slash commands and Alertmanager
 * notifications (webhook v4 and its own /api/v2/alerts). The signing is copied from the test
 * helpers on purpose: bench code does not import tests/.
 */

export interface BuiltRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Alerts carried (1 for a slash command). */
  items: number;
  /** POST unless said otherwise. */
  method?: 'GET' | 'POST';
}

export interface SlashSpec {
  kind: 'slash';
  url: string;
  secret: string;
  teamId: string;
  channelId: string;
  userId: string;
  /** Command text; `{i}` is replaced by the request index. */
  text: string;
  responseUrl: string;
  /** Makes trigger ids (idempotency keys) unique across runs against one bot. */
  runId: string;
}

export interface AlertSpec {
  kind: 'alertmanager-webhook' | 'alertmanager-api';
  url: string;
  token?: string;
  batch: number;
  /** true: every request carries new alerts; false: every request repeats the same alerts. */
  fresh: boolean;
  /** Alerts of request i belong to service `${servicePrefix}-${i % services}` (Alertmanager groups by service). */
  services: number;
  servicePrefix: string;
  /** Distinguishes alert identities between runs. */
  runId: string;
  /** One startsAt per run, so a repeat is recognisably the same alert. */
  startsAt: string;
}

/** An authenticated API read; request i uses token i % tokens.length (each token has its own rate limit). */
export interface ApiGetSpec {
  kind: 'api-get';
  url: string;
  tokens: string[];
}

export type RequestSpec = SlashSpec | AlertSpec | ApiGetSpec;

/** `v0=` + hex HMAC-SHA256 over `v0:{timestamp}:{rawBody}` (Slack's request signing). */
export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function signedSlackHeaders(secret: string, body: string, contentType: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-signature': slackSignature(secret, ts, body),
    'x-slack-request-timestamp': String(ts),
  };
}

/** Slack's slash-command form body, fields in the order Slack sends them. */
export function slashBody(s: Omit<SlashSpec, 'kind' | 'url' | 'secret' | 'runId'> & { triggerId: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: s.teamId,
    team_domain: 'acme',
    channel_id: s.channelId,
    channel_name: 'incident',
    user_id: s.userId,
    user_name: s.userId.toLowerCase(),
    command: '/incident',
    text: s.text,
    api_app_id: 'A0APP0001',
    is_enterprise_install: 'false',
    response_url: s.responseUrl,
    trigger_id: s.triggerId,
  }).toString();
}

const fingerprint = (runId: string, k: number) => createHash('sha1').update(`${runId}:${k}`).digest('hex').slice(0, 16);

/** One alert in Alertmanager's webhook shape (tests/fixtures/alertmanager/1-firing-two-alerts.json). */
function webhookAlert(spec: AlertSpec, service: string, k: number) {
  return {
    status: 'firing',
    labels: { alertname: 'HighErrorRate', env: 'prod', error_rate: '0.072', instance: `web-${k}`, service, severity: 'critical' },
    annotations: { description: 'HTTP 5xx ratio above 5% for 5m', runbook_url: `https://runbooks.example/${service}`, summary: `5xx rate 7.2% on web-${k}` },
    startsAt: spec.startsAt,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rate',
    fingerprint: fingerprint(spec.runId, k),
  };
}

function alertKeys(spec: AlertSpec, i: number): number[] {
  const first = spec.fresh ? i * spec.batch : (i % spec.services) * spec.batch;
  return Array.from({ length: spec.batch }, (_, j) => first + j);
}

export function buildAlertRequest(spec: AlertSpec, i: number): BuiltRequest {
  const service = `${spec.servicePrefix}-${i % spec.services}`;
  const alerts = alertKeys(spec, i).map((k) => webhookAlert(spec, service, k));
  if (spec.kind === 'alertmanager-api') {
    // Alertmanager's own ingestion API takes postable alerts: labels, annotations, times, generator.
    const body = JSON.stringify(alerts.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, generatorURL: a.generatorURL })));
    return { url: spec.url, headers: { 'content-type': 'application/json' }, body, items: alerts.length };
  }
  const common = { alertname: 'HighErrorRate', env: 'prod', service, severity: 'critical' };
  const body = JSON.stringify({
    receiver: 'revenant',
    status: 'firing',
    alerts,
    groupLabels: { alertname: 'HighErrorRate', service },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: `{}:{alertname="HighErrorRate", service="${service}"}`,
    truncatedAlerts: 0,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.25.0' };
  if (spec.token) headers.authorization = `Bearer ${spec.token}`;
  return { url: spec.url, headers, body, items: alerts.length };
}

export function buildRequest(spec: RequestSpec, i: number): BuiltRequest {
  if (spec.kind === 'api-get') {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.tokens.length) headers.authorization = `Bearer ${spec.tokens[i % spec.tokens.length]}`;
    return { url: spec.url, headers, body: '', items: 1, method: 'GET' };
  }
  if (spec.kind === 'slash') {
    const triggerId = `${Math.floor(Date.now() / 1000)}.${i}.${spec.runId}`;
    const body = slashBody({ ...spec, text: spec.text.replaceAll('{i}', String(i)), triggerId });
    return { url: spec.url, headers: signedSlackHeaders(spec.secret, body, 'application/x-www-form-urlencoded'), body, items: 1 };
  }
  return buildAlertRequest(spec, i);
}
