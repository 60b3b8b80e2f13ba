import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { logDrops } from '../logger';
import { processFaults } from '../http/process-guards';

/** A counter whose value lives outside the registry (process-wide), read at scrape time. */
function processCounter(registry: Registry, name: string, help: string, read: () => number) {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * The event loop's worst delay in each second, as a histogram: no request may hold the loop past 100 ms
 * (issue 20), and this shows whether one did. The sampler's timer is unref'd: it never keeps a process up.
 */
function eventLoopDelay(registry: Registry) {
  const histogram = new Histogram({
    name: 'revenant_event_loop_delay_seconds',
    help: 'Worst event-loop delay in each second',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [registry],
  });
  const monitor = monitorEventLoopDelay({ resolution: 10 });
  monitor.enable();
  setInterval(() => {
    if (monitor.count > 0) histogram.observe(monitor.max / 1e9);
    monitor.reset();
  }, 1000).unref();
  return histogram;
}

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
    eventLoopDelay: eventLoopDelay(registry),
    incidentEvents: new Counter({ name: 'revenant_incident_events_total', help: 'Incident events appended by type', labelNames: ['type'], registers: [registry] }),
    unhandledRejections: processCounter(
      registry,
      'revenant_unhandled_rejections_total',
      'Promise rejections nobody handled (logged; the process kept running)',
      () => processFaults.unhandledRejections,
    ),
    logLinesDropped: processCounter(
      registry,
      'revenant_log_lines_dropped_total',
      'Log lines dropped: the stdout reader was too slow, gone or failing',
      () => logDrops.lines,
    ),
    databaseUnavailable: new Counter({
      name: 'revenant_database_unavailable_total',
      help: 'Requests answered 503 because the database could not be reached or written',
      labelNames: ['surface'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
