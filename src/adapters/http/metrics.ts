import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per running app, so tests with several apps in one process don't collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: 'revenant_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({ name: 'revenant_http_request_seconds', help: 'HTTP request duration', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 3], registers: [registry] }),
    alertsAccepted: new Counter({ name: 'revenant_alerts_accepted_total', help: 'Alerts accepted by connector kind', labelNames: ['kind'], registers: [registry] }),
    alertsDuplicate: new Counter({ name: 'revenant_alerts_duplicate_total', help: 'Alerts recognised as repeats', labelNames: ['kind'], registers: [registry] }),
    outboxDelivered: new Counter({ name: 'revenant_outbox_delivered_total', help: 'Outbox effects by kind and outcome', labelNames: ['kind', 'outcome'], registers: [registry] }),
    incidentEvents: new Counter({ name: 'revenant_incident_events_total', help: 'Incident events appended by type', labelNames: ['type'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
