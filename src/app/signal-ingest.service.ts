import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { dialectOf, isUniqueViolation } from '../adapters/db/create-db';
import type { Trx } from '../adapters/db/schema';
import { existingReceipts, insertReceipts, loadCandidates } from '../adapters/db/signal-ingest.repo';
import { applyToWatchlist, type WatchItem } from '../adapters/db/signal-watchlist.repo';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { type AutoDeclarePolicy, type CorrelationCandidate, correlate, severityFromSignal, toSignalRef } from '../signals/correlation';
import { dedupKey } from '../signals/dedup';
import { type ConnectorKind, normalise } from '../signals/normalisers';
import { evaluateRisk } from '../signals/risk.evaluator';
import type { Signal } from '../signals/signal.types';
import { declareCommand } from './declare.command';
import type { AppDeps } from './deps';
import type { CommandResult } from './incident.service';

export interface IngestConnector {
  id: string;
  orgId: string;
  kind: ConnectorKind;
}

export interface IngestResult {
  /** Alerts in the request that were taken, repeats included (a repeat is accepted and changes nothing). */
  accepted: number;
  duplicates: number;
  /** Joined an open incident. */
  attached: number;
  /** Opened an incident. */
  declared: number;
  warnings: string[];
  /** Incidents touched, in order of first touch. */
  incidentIds: string[];
}

const MAX_ATTEMPTS = 8;

export const connectorActor = (connectorId: string): Actor => ({ kind: 'connector', id: `connector:${connectorId}`, role: 'responder' });

/** Lost races worth retrying the whole request for: a unique key taken meanwhile, or a Postgres deadlock/serialisation failure. */
const retryable = (e: unknown) => isUniqueViolation(e) || ['40P01', '40001'].includes((e as { code?: string })?.code ?? '');

export type SignalIngestService = ReturnType<typeof createSignalIngestService>;

/**
 * Alerts in: normalise → per alert dedup, risk, correlate, attach or declare, watchlist — the whole
 * request in ONE transaction, so a request is either recorded entirely before its 2xx or not at all
 * (the sender retries). Requests of one org are serialised (Postgres: an advisory lock; SQLite
 * serialises writers anyway), so two requests about one service never both declare an incident.
 */
export function createSignalIngestService(deps: Pick<AppDeps, 'db' | 'config' | 'incidents' | 'now'> & { autoDeclare?: AutoDeclarePolicy }) {
  const pg = dialectOf(deps.db) === 'postgres';
  const autoDeclare = deps.autoDeclare ?? deps.config.autoDeclare;

  /** Parse a sender's body; throws DomainError('invalid_input') listing every problem. Pure, nothing stored. */
  function parse(connector: IngestConnector, body: unknown, receivedAt: Date) {
    return normalise(connector.kind, body, { orgId: connector.orgId, receivedAt: receivedAt.toISOString() });
  }

  async function ingest(connector: IngestConnector, body: unknown): Promise<IngestResult> {
    const { signals, warnings } = parse(connector, body, deps.now());
    return { ...(await ingestSignals(connector, signals)), warnings };
  }

  async function ingestSignals(connector: IngestConnector, signals: readonly Signal[]): Promise<Omit<IngestResult, 'warnings'>> {
    // Receipts are only ever added, so a request whose alerts were all seen before is a pure repeat
    // (Alertmanager re-sends every group_interval): answer it without a write transaction or lock.
    if (signals.length > 0) {
      const keys = signals.map(dedupKey);
      const seen = await existingReceipts(deps.db, connector.orgId, keys);
      if (keys.every((k) => seen.has(k))) return { accepted: signals.length, duplicates: signals.length, attached: 0, declared: 0, incidentIds: [] };
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await deps.db.transaction().execute((trx) => inTransaction(trx, connector, signals));
        deps.incidents.committed(out.results);
        return out.summary;
      } catch (e) {
        if (retryable(e) && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        if (retryable(e)) throw new DomainError('conflict', 'Too many simultaneous deliveries; please retry.');
        throw e;
      }
    }
  }

  async function inTransaction(trx: Trx, connector: IngestConnector, signals: readonly Signal[]) {
    const orgId = connector.orgId;
    const actor = connectorActor(connector.id);
    if (pg) await sql`select pg_advisory_xact_lock(hashtext(${`ingest:${orgId}`}))`.execute(trx);
    const now = deps.now();

    const keys = signals.map(dedupKey);
    const seen = await existingReceipts(trx, orgId, keys);
    const fresh: Array<{ signal: Signal; key: string }> = [];
    for (let i = 0; i < signals.length; i++) {
      if (seen.has(keys[i])) continue;
      seen.add(keys[i]); // the same alert twice in one request is a repeat too
      fresh.push({ signal: signals[i], key: keys[i] });
    }
    const summary = { accepted: signals.length, duplicates: signals.length - fresh.length, attached: 0, declared: 0, incidentIds: [] as string[] };
    const results: CommandResult[] = [];
    if (fresh.length === 0) return { summary, results };

    const candidates = await loadCandidates(trx, orgId, fresh.map((f) => f.signal));
    const byId = new Map(candidates.map((c) => [c.incidentId, c]));
    const batch = deps.incidents.beginBatch();
    const watch: WatchItem[] = [];
    const receipts = [];

    for (const { signal, key } of fresh) {
      const risk = evaluateRisk(signal);
      const decision = correlate(signal, candidates, now, { autoDeclare, risk: risk.level });
      const ref = toSignalRef(signal, risk, randomUUID());
      let incidentId: string | null = null;
      if (decision.kind === 'attach') {
        const r = await deps.incidents.executeInTransaction(trx, { orgId, incidentId: decision.incidentId, actor, command: { type: 'AttachSignal', signal: ref } }, batch);
        results.push(r);
        incidentId = r.incidentId;
        summary.attached++;
      } else if (decision.kind === 'declare') {
        const r = await deps.incidents.executeInTransaction(
          trx,
          {
            orgId,
            incidentId: randomUUID(),
            actor,
            command: declareCommand(deps.config.channelPrefix, {
              orgId,
              title: signal.title,
              severity: severityFromSignal(signal, risk),
              service: signal.serviceName,
              environment: signal.environment,
              description: `Opened automatically from a ${signal.source} alert: ${risk.reasons.join('; ')}.`.slice(0, 3000),
              signal: ref,
            }),
          },
          batch,
        );
        results.push(r);
        incidentId = r.incidentId;
        summary.declared++;
        const c: CorrelationCandidate = { incidentId, status: 'OPEN', service: signal.serviceName, environment: signal.environment, correlationKeys: [], traceIds: [], fingerprints: [] };
        candidates.push(c);
        byId.set(incidentId, c);
      }
      if (incidentId) {
        // Later alerts of this request correlate against what this one just did.
        const c = byId.get(incidentId)!;
        c.fingerprints!.push(signal.fingerprint);
        if (signal.correlationKey) c.correlationKeys.push(signal.correlationKey);
        if (signal.traceId) c.traceIds.push(signal.traceId);
        c.lastSignalAt = now.toISOString();
        if (!summary.incidentIds.includes(incidentId)) summary.incidentIds.push(incidentId);
      }
      watch.push({ signal, risk, incidentId });
      receipts.push({ org_id: orgId, dedup_key: key, connector_id: connector.id, incident_id: incidentId, received_at: now.toISOString() });
    }

    await deps.incidents.flushBatch(trx, batch);
    await applyToWatchlist(trx, orgId, watch, now, actor.id);
    await insertReceipts(trx, receipts);
    return { summary, results };
  }

  return { ingest, ingestSignals, parse };
}
