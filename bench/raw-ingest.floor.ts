import { randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { eventToRow } from '../src/adapters/db/event-store';
import { timelineRow } from '../src/adapters/db/incident.projection';
import type { IncidentEvent, SignalRef } from '../src/incidents/incident.types';
import { toSignalRef } from '../src/signals/correlation';
import { dedupKey } from '../src/signals/dedup';
import { normalise } from '../src/signals/normalisers';
import { evaluateRisk } from '../src/signals/risk.evaluator';
import type { Signal } from '../src/signals/signal.types';
import { createBenchDb } from './bench-db';
import { type AlertSpec, buildAlertRequest } from './request.builders';

/**
 * The storage floor for alert ingestion: the rows the bot writes for each fresh alert (its receipt,
 * the SIGNAL_ATTACHED event, its timeline line, the incident's signal row, the firing-signal row),
 * made ahead of time from the same Alertmanager bodies, then inserted with prepared better-sqlite3
 * statements in one transaction. Only the inserts are timed.
 */
export async function rawSqliteFloor(spec: AlertSpec, requests: number): Promise<{ alerts: number; ms: number }> {
  const bdb = await createBenchDb('sqlite');
  await bdb.db.destroy();
  const orgId = 'T0001';
  const incidentId = randomUUID();
  const at = new Date().toISOString();
  const rows: Array<{ s: Signal; ref: SignalRef; risk: string; score: number; key: string; event: ReturnType<typeof eventToRow>; line: ReturnType<typeof timelineRow> }> = [];
  let seq = 1;
  for (let i = 0; i < requests; i++) {
    const { signals } = normalise('alertmanager', JSON.parse(buildAlertRequest(spec, i).body), { orgId, receivedAt: at });
    for (const s of signals) {
      const risk = evaluateRisk(s);
      const ref = toSignalRef(s, risk, randomUUID());
      const event = { type: 'SIGNAL_ATTACHED', signal: ref, incidentId, orgId, seq: seq++, actor: 'connector:bench', occurredAt: at } as IncidentEvent;
      rows.push({ s, ref, risk: risk.level, score: risk.score, key: dedupKey(s), event: eventToRow(event), line: timelineRow(event) });
    }
  }
  const db = new SQLite(bdb.file!);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const receipt = db.prepare('insert into signal_receipts (org_id, dedup_key, connector_id, incident_id, received_at) values (?, ?, ?, ?, ?)');
    const event = db.prepare('insert into incident_events (org_id, incident_id, seq, type, payload, actor, occurred_at, idempotency_key) values (?, ?, ?, ?, ?, ?, ?, ?)');
    const line = db.prepare('insert into incident_timeline (org_id, incident_id, seq, type, actor, occurred_at, text) values (?, ?, ?, ?, ?, ?, ?)');
    const signal = db.prepare(
      'insert into incident_signals (org_id, incident_id, fingerprint, service, environment, title, risk, status, source, correlation_key, trace_id, attached_at, last_seen_at, resolved_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)',
    );
    const firing = db.prepare('insert into firing_signals (org_id, source, fingerprint, service, environment, level, score, incident_id, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const t0 = performance.now();
    db.transaction(() => {
      for (const r of rows) {
        receipt.run(orgId, r.key, 'con_bench', incidentId, at);
        const e = r.event;
        event.run(e.org_id, e.incident_id, e.seq, e.type, e.payload, e.actor, e.occurred_at, e.idempotency_key);
        const l = r.line;
        line.run(l.org_id, l.incident_id, l.seq, l.type, l.actor, l.occurred_at, l.text);
        signal.run(orgId, incidentId, r.ref.fingerprint, r.ref.service, r.ref.environment, r.ref.title, r.ref.risk, r.ref.status, r.ref.source, r.ref.correlationKey ?? null, r.ref.traceId ?? null, at, at);
        firing.run(orgId, r.s.source, r.s.fingerprint, r.s.serviceName, r.s.environment, r.risk, r.score, incidentId, at);
      }
    })();
    return { alerts: rows.length, ms: performance.now() - t0 };
  } finally {
    db.close();
    await bdb.destroy().catch(() => undefined);
  }
}
