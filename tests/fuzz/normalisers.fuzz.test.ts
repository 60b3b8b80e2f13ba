import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_KINDS, type ConnectorKind, normalise } from '../../src/signals/normalisers';
import { parseLatencyMs, parseRatio, parseTime } from '../../src/signals/normalisers/normaliser.helpers';
import { SIGNAL_LIMITS, SignalSchema } from '../../src/signals/signal.types';
import { acceptOrRefuse, check, nastyText, sometimesHuge } from './fuzz.helpers';

/**
 * Issue 20 part 4: whatever a sender posts, a normaliser either returns signals that satisfy the Signal
 * schema (limits included) or refuses with DomainError('invalid_input'); it never throws anything else
 * (a RangeError was a 500 forever: senders retry 5xx).
 */
const ctx = { orgId: 'T0001', receivedAt: '2026-12-01T10:00:00.000Z' };

/** Times as senders send them, and as they go wrong: epochs of every unit, huge, negative, zero, Go's zero time. */
const time = fc.oneof(
  fc
    .date({ min: new Date('1960-01-01'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59-23:59',
    '2026-13-01T00:00:00Z',
    '8640000000000001',
    '1796165704115000000',
    '0',
    '',
    'yesterday',
  ),
  fc.integer({ min: -1, max: 2 ** 53 }).map(String),
  fc.oneof(fc.integer(), fc.double(), fc.constant(1796165704115000000), fc.constant(8.64e15 + 1)),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  nastyText(8),
);
const text = sometimesHuge(nastyText());
const labelKeys = fc.constantFrom(
  'service',
  'service_name',
  'job',
  'app',
  'env',
  'environment',
  'severity',
  'priority',
  'alertname',
  'error_rate',
  'latency_ms',
  'latency',
  'availability',
  'correlation_key',
  'trace_id',
  'project_id',
  'summary',
  'title',
  'description',
  'message',
);
const labelSet = fc.dictionary(fc.oneof(labelKeys, fc.string({ maxLength: 8 })), text, { maxKeys: 12 });
const metricValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom('7.2%', '120%', '-1', '1e400', 'NaN', '620ms', '1.2s', '', ' '),
  nastyText(6),
);

const prometheusAlert = fc.record(
  {
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), fc.string({ maxLength: 6 })),
    labels: labelSet,
    annotations: labelSet,
    startsAt: time,
    endsAt: time,
    generatorURL: text,
    fingerprint: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 16 }), text),
    values: fc.option(
      fc.dictionary(
        fc.constantFrom('A', 'B', 'error_rate', 'latency_ms', 'availability', 'ERROR_RATE'),
        fc.option(fc.double(), { nil: null }),
      ),
    ),
    valueString: text,
  },
  { requiredKeys: ['status', 'labels', 'startsAt'] },
);
const prometheusBody = fc.record(
  {
    version: fc.constantFrom('4', '1', 'x'),
    groupKey: text,
    truncatedAlerts: fc.oneof(fc.nat(), fc.integer()),
    status: fc.constantFrom('firing', 'resolved'),
    receiver: text,
    alerts: fc.array(prometheusAlert, { maxLength: 4 }),
  },
  { requiredKeys: ['alerts'] },
);
const ddField = fc.oneof(
  text,
  fc.integer(),
  fc.constantFrom('$ALERT_ID', '$ALERT_CYCLE_KEY', '', 'Triggered', 'Recovered', 'Warn', 'No Data'),
);
const datadogBody = fc.record(
  {
    alert_id: ddField,
    transition: ddField,
    alert_type: ddField,
    priority: ddField,
    scope: fc.oneof(
      text,
      fc
        .array(
          fc.tuple(labelKeys, text).map(([k, v]) => `${k}:${v}`),
          { maxLength: 4 },
        )
        .map((a) => a.join(',')),
    ),
    tags: fc.oneof(
      text,
      fc
        .array(
          fc.tuple(labelKeys, text).map(([k, v]) => `${k}:${v}`),
          { maxLength: 4 },
        )
        .map((a) => a.join(', ')),
    ),
    title: ddField,
    body: fc.oneof(
      text,
      fc
        .tuple(fc.constantFrom('error_rate', 'latency_ms', 'availability'), metricValue)
        .map(([k, v]) => `${k}=${String(v)}`),
    ),
    alert_status: ddField,
    aggreg_key: ddField,
    date: time,
    last_updated: time,
    logs_sample: fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.record({ rows: fc.array(fc.record({ message: text }), { maxLength: 3 }) }),
    ),
  },
  { requiredKeys: ['alert_id', 'transition'] },
);
const genericItem = fc.record(
  {
    serviceName: text,
    environment: text,
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), fc.string({ maxLength: 6 })),
    title: text,
    severity: text,
    source: text,
    orgId: text,
    startsAt: time,
    endsAt: time,
    fingerprint: text,
    correlationKey: text,
    traceId: text,
    groupKey: text,
    metrics: fc.record(
      { errorRate: metricValue, latencyMs: metricValue, availability: metricValue },
      { requiredKeys: [] },
    ),
    logs: fc.array(
      fc.record(
        { level: fc.oneof(fc.constantFrom('error', 'warn', 'CRIT', ''), text), message: text, timestamp: time },
        { requiredKeys: ['message'] },
      ),
      { maxLength: 25 },
    ),
  },
  { requiredKeys: ['serviceName', 'status', 'title'] },
);

const bodyFor: Record<ConnectorKind, fc.Arbitrary<unknown>> = {
  alertmanager: prometheusBody,
  grafana: prometheusBody,
  datadog: datadogBody,
  generic: fc.oneof(genericItem, fc.array(genericItem, { maxLength: 4 })),
};

/** Accepted output: every signal passes the schema and its limits, and belongs to the connector's org. */
function expectValidOutput(kind: ConnectorKind, body: unknown): void {
  const out = acceptOrRefuse(() => normalise(kind, body, ctx));
  if (!out) return;
  for (const s of out.signals) {
    const r = SignalSchema.safeParse(s);
    expect(r.success, `${kind}: ${r.success ? '' : JSON.stringify(r.error.issues).slice(0, 400)}`).toBe(true);
    expect(s.orgId).toBe('T0001');
    expect(s.serviceName.length).toBeLessThanOrEqual(SIGNAL_LIMITS.serviceName);
    // Postgres text refuses NUL; `raw` is stored as JSON text, where it is an escape, so only the rest matters.
    expect(JSON.stringify({ ...s, raw: undefined })).not.toContain('\\u0000');
  }
  for (const w of out.warnings) expect(typeof w).toBe('string');
}

describe('fuzz: alert normalisers', () => {
  for (const kind of CONNECTOR_KINDS) {
    it(`${kind}: any JSON value is accepted as valid signals or refused as invalid_input`, () => {
      check([fc.jsonValue({ maxDepth: 4 })], (body) => expectValidOutput(kind, body));
    });
    it(`${kind}: near-valid payloads with hostile fields and times`, () => {
      check([bodyFor[kind]], (body) => expectValidOutput(kind, JSON.parse(JSON.stringify(body))));
    });
  }

  it('parseTime never throws; what it accepts is an ISO time from 1970 to 9999', () => {
    check([fc.oneof(time, fc.anything())], (input) => {
      const r = parseTime(input);
      if (r.ok && r.value !== undefined) {
        expect(r.value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(r.value >= '1970-01-01').toBe(true);
      }
    });
  });

  it('parseRatio and parseLatencyMs never throw; accepted values are finite and in range', () => {
    check([fc.oneof(metricValue, fc.anything())], (input) => {
      const ratio = parseRatio(input);
      if (ratio.ok && ratio.value !== undefined) expect(ratio.value >= 0 && ratio.value <= 1).toBe(true);
      const latency = parseLatencyMs(input);
      if (latency.ok && latency.value !== undefined)
        expect(Number.isFinite(latency.value) && latency.value >= 0).toBe(true);
    });
  });
});
