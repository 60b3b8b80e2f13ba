import { declareBudgetFacts, existingReceipts, loadCandidates } from '../adapters/db/signal-ingest.repo';
import type { DB } from '../adapters/db/schema';
import type { CorrelationEvidence } from '../incidents/correlation.types';
import type { Severity } from '../incidents/incident.types';
import { dedupKey } from '../signals/dedup';
import { type ConnectorKind, normalise } from '../signals/normalisers';
import { evaluateRisk } from '../signals/risk.evaluator';
import type { AppDeps } from './deps';
import { STORM_TITLE } from './signal-ingest.service';
import {
  connectedTo,
  declaredCandidate,
  type DeclareBudget,
  planSignal,
  rememberJoin,
  topologyPolicy,
} from './correlation-plan';

/*
 * `revenant correlate --org T --kind alertmanager < payload.json`: what ingestion would do with each alert
 * and why, computed by the same plan (correlation-plan.ts) against the current open incidents, with reads
 * only. Alerts of one payload see each other as ingestion would (an incident "declared" by the first is a
 * candidate for the next); nothing is written, no receipt, no event, no outbox row.
 */

export type DryRunAction = 'attach' | 'declare' | 'ignore' | 'repeat';

export interface DryRunLine {
  index: number;
  fingerprint: string;
  service: string;
  environment: string;
  status: 'firing' | 'resolved';
  title: string;
  risk: string;
  action: DryRunAction;
  /** attach: the incident (`INC-12`); declare: `new` (and `#n` for the n-th new one of this payload). */
  incident?: { id?: string; number?: number; title?: string; new?: number };
  severity?: Severity;
  rule?: CorrelationEvidence['rule'];
  reason: string;
  evidence?: CorrelationEvidence['evidence'];
}

export interface DryRunResult {
  lines: DryRunLine[];
  warnings: string[];
}

type Deps = Pick<AppDeps, 'db' | 'config' | 'now'> & Partial<Pick<AppDeps, 'catalog'>>;

export async function dryRunCorrelation(
  deps: Deps,
  input: { orgId: string; kind: ConnectorKind; body: unknown },
): Promise<DryRunResult> {
  const db: DB = deps.db;
  const now = deps.now();
  const { orgId } = input;
  const { signals, warnings } = normalise(input.kind, input.body, { orgId, receivedAt: now.toISOString() });
  const topology = topologyPolicy(deps);
  const cap = deps.config.autoDeclareLimit ?? { count: 0, windowMs: 0 };
  const settings = { autoDeclare: deps.config.autoDeclare, cap, catalog: deps.catalog, topology };
  const keys = signals.map(dedupKey);
  const seen = await existingReceipts(db, orgId, keys);
  const candidates = await loadCandidates(db, orgId, signals, connectedTo(topology, deps.catalog, signals));
  const byId = new Map(candidates.map((c) => [c.incidentId, c]));
  const known = await incidentsById(
    db,
    orgId,
    candidates.map((c) => c.incidentId),
  );
  let budget: DeclareBudget | undefined;
  const loadBudget = async () => {
    if (cap.count <= 0) return (budget ??= { left: Infinity, stormId: undefined });
    if (!budget) {
      const since = new Date(now.getTime() - cap.windowMs).toISOString();
      const { used, stormId } = await declareBudgetFacts(db, orgId, since, STORM_TITLE);
      budget = { left: cap.count - used, stormId };
    }
    return budget;
  };
  const inPayload = new Set<string>();
  const simulated = new Map<string, number>();
  const lines: DryRunLine[] = [];
  for (const [index, signal] of signals.entries()) {
    const risk = evaluateRisk(signal);
    const base = {
      index,
      fingerprint: signal.fingerprint,
      service: signal.serviceName,
      environment: signal.environment,
      status: signal.status,
      title: signal.title,
      risk: risk.level,
    };
    if (seen.has(keys[index]) || inPayload.has(keys[index])) {
      lines.push({
        ...base,
        action: 'repeat',
        reason: 'already received (same alert, same state): accepted, changes nothing',
      });
      continue;
    }
    inPayload.add(keys[index]);
    const plan = await planSignal(settings, signal, risk, candidates, now, loadBudget);
    if (plan.kind === 'none') {
      lines.push({ ...base, action: 'ignore', reason: plan.reason });
      continue;
    }
    const { rule, reason, evidence } = plan.correlation;
    if (plan.kind === 'attach') {
      const n = simulated.get(plan.incidentId);
      const k = known.get(plan.incidentId);
      const incident = n ? { new: n } : { id: plan.incidentId, number: k?.number, title: k?.title };
      lines.push({ ...base, action: 'attach', incident, rule, reason, evidence });
      rememberJoin(byId.get(plan.incidentId), signal, now);
      continue;
    }
    // A would-be incident: later alerts of the payload may join it, as they would on ingestion.
    const id = `dry-run:${simulated.size + 1}`;
    simulated.set(id, simulated.size + 1);
    const c = declaredCandidate(id, signal, plan.storm);
    candidates.push(c);
    byId.set(id, c);
    rememberJoin(c, signal, now);
    const b = await loadBudget();
    b.left--;
    if (plan.storm) b.stormId = id;
    lines.push({
      ...base,
      action: 'declare',
      incident: { new: simulated.get(id) },
      severity: plan.severity,
      rule,
      reason,
      evidence,
    });
  }
  return { lines, warnings };
}

async function incidentsById(db: DB, orgId: string, ids: string[]) {
  const out = new Map<string, { number: number; title: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('incidents')
      .select(['id', 'number', 'title'])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, { number: Number(r.number), title: r.title });
  }
  return out;
}
