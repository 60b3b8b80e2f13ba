import { claimSlot } from '../adapters/db/digest.repo';
import {
  firingAlerts,
  insertEvaluation,
  latestEvaluations,
  pruneEvaluations,
  pruneLeases,
  setAlert,
  type StoredEvaluation,
} from '../adapters/db/slo.repo';
import { evaluateSlo, ticketFires, unknownEvaluation } from '../slos/burn-rate';
import { type SloLevel, sloSignal } from '../slos/slo.signals';
import type { SloDefinition, SloEvaluation, SloProblem, SloSet } from '../slos/slo.types';
import type { Signal } from '../signals/signal.types';
import { minuteSlot } from '../watchlist/time.format';
import type { AppDeps } from './deps';
import { createSignalIngestService, type IngestConnector } from './signal-ingest.service';
import { countsFor, type MetricsQueryPort } from './slo-counts';

/**
 * SLO evaluation: each SLO's counts from Prometheus at `at` → SLI, budget, burn rates (burn-rate.ts) → a stored
 * evaluation, and burn alerts raised and cleared as signals through the alert pipeline. An evaluation that
 * fails (Prometheus down, slow, empty, NaN, an error) is stored as "unknown" with the problem and changes no
 * signal: the last good numbers stay what the grid shows next to the problem.
 */

export interface SloSource {
  current(): Promise<SloSet>;
}

export type SloDeps = Pick<AppDeps, 'db' | 'config' | 'logger' | 'now' | 'incidents'> & {
  sloSource: SloSource;
  /** Undefined without PROMETHEUS_URL: every SLO is then unknown. */
  prometheus?: MetricsQueryPort;
};

/** The pipeline's view of who raised an SLO signal (receipts and the timeline's actor: `connector:slo`). */
const connectorOf = (orgId: string): IngestConnector => ({ id: 'slo', orgId, kind: 'generic' });
const LEVELS: SloLevel[] = ['page', 'ticket'];
/** Evaluations are kept this long (the grid and budget-burned numbers need the recent ones only). */
const KEEP_MS = 35 * 86_400_000;

export interface SloReport {
  orgId: string;
  evaluations: SloEvaluation[];
  /** Fingerprints raised or cleared. */
  raised: string[];
  cleared: string[];
}

export function createSloService(deps: SloDeps) {
  const ingest = createSignalIngestService(deps);

  /** The SLOs of an org: annotated with it, or unannotated ones when it is the default org. */
  function slosOf(set: SloSet, orgId: string, defaultOrg: string | undefined) {
    return set.slos.filter((s) => (s.orgId ?? defaultOrg ?? orgId) === orgId);
  }

  async function evaluateOne(def: SloDefinition, at: Date): Promise<SloEvaluation> {
    if (!deps.prometheus) return unknownEvaluation(def, at, 'PROMETHEUS_URL is not set');
    try {
      return evaluateSlo(def, await countsFor(deps.prometheus, def, at), at);
    } catch (e) {
      return unknownEvaluation(def, at, e instanceof Error ? e.message : String(e));
    }
  }

  /** Evaluate every SLO of the org at `at`, store the results, raise and clear its burn signals. */
  async function evaluateOrg(orgId: string, at: Date, defaultOrg?: string): Promise<SloReport> {
    const set = await deps.sloSource.current();
    const defs = slosOf(set, orgId, defaultOrg ?? deps.config.slo.orgId);
    const evaluations = await Promise.all(defs.map((d) => evaluateOne(d, at)));
    const firing = await firingAlerts(deps.db, orgId);
    const report: SloReport = { orgId, evaluations, raised: [], cleared: [] };
    const signals: Signal[] = [];
    const changes: Array<{ slo: string; level: SloLevel; since: string | undefined }> = [];
    for (const [i, def] of defs.entries()) {
      const e = evaluations[i];
      await insertEvaluation(deps.db, orgId, e, def);
      if (e.status === 'unknown') {
        deps.logger.warn({ orgId, slo: def.name, problem: e.problem }, 'SLO evaluation unknown; previous state kept');
        continue;
      }
      for (const level of LEVELS) {
        const want = level === 'page' ? e.alert === 'page' : ticketFires(e.burnRates ?? {});
        const since = firing.get(`${def.name}|${level}`);
        if (want && !since) {
          signals.push(sloSignal({ orgId, def, level, status: 'firing', since: e.at, evaluation: e }));
          changes.push({ slo: def.name, level, since: e.at });
          report.raised.push(`slo:${def.name}:${level}`);
        } else if (!want && since) {
          signals.push(sloSignal({ orgId, def, level, status: 'resolved', since, endedAt: e.at, evaluation: e }));
          changes.push({ slo: def.name, level, since: undefined });
          report.cleared.push(`slo:${def.name}:${level}`);
        }
      }
    }
    // Signals first: if this fails the alert state is unchanged and the next evaluation sends them again.
    if (signals.length) await ingest.ingestSignals(connectorOf(orgId), signals);
    for (const c of changes) await setAlert(deps.db, orgId, c.slo, c.level, c.since);
    return report;
  }

  /** Orgs with SLOs: those named by `revenant/org`, and the default org (SLO_ORG, else the home workspace). */
  async function orgsToEvaluate(homeOrg?: string): Promise<{ orgs: string[]; defaultOrg?: string }> {
    const set = await deps.sloSource.current();
    const defaultOrg = deps.config.slo.orgId ?? homeOrg;
    const orgs = new Set<string>();
    for (const s of set.slos) {
      const org = s.orgId ?? defaultOrg;
      if (org) orgs.add(org);
    }
    return { orgs: [...orgs].sort(), defaultOrg };
  }

  /**
   * The scheduled run: once per org and minute across every replica (the slot row in schedule_leases,
   * as digests and reminders do). Returns the orgs this process evaluated.
   */
  async function runScheduled(at: Date, by: string, homeOrg?: string): Promise<string[]> {
    const { orgs, defaultOrg } = await orgsToEvaluate(homeOrg);
    const done: string[] = [];
    for (const orgId of orgs) {
      const won = await claimSlot(deps.db, { orgId, kind: 'slo_eval', slot: minuteSlot(at), by, at });
      if (!won) continue;
      await evaluateOrg(orgId, at, defaultOrg);
      done.push(orgId);
    }
    if (done.length) {
      await pruneEvaluations(deps.db, new Date(at.getTime() - KEEP_MS).toISOString());
      await pruneLeases(deps.db, 'slo_eval', new Date(at.getTime() - 86_400_000).toISOString());
    }
    return done;
  }

  return { evaluateOrg, runScheduled, orgsToEvaluate };
}

export type SloService = ReturnType<typeof createSloService>;

/** What server.ts wires into `deps.slos`. */
export interface SloFeature {
  source: SloSource;
  prometheus?: MetricsQueryPort;
  service: SloService;
}

export interface SloView {
  name: string;
  displayName?: string;
  service: string;
  environment: string;
  target: number;
  window: string;
  file: string;
  /** The latest evaluation (may be unknown), and the last one with numbers. */
  latest?: StoredEvaluation;
  lastGood?: StoredEvaluation;
}

/** `GET /slos`, the health grid: every SLO of the org with its latest evaluation, and the files' problems. */
export async function listSlos(
  deps: Pick<SloDeps, 'db' | 'sloSource' | 'config'>,
  orgId: string,
  homeOrg?: string,
): Promise<{ slos: SloView[]; problems: SloProblem[] }> {
  const set = await deps.sloSource.current();
  const defaultOrg = deps.config.slo.orgId ?? homeOrg;
  const evals = await latestEvaluations(deps.db, orgId);
  const slos = set.slos
    .filter((s) => (s.orgId ?? defaultOrg ?? orgId) === orgId)
    .map((s) => ({
      name: s.name,
      displayName: s.displayName,
      service: s.service,
      environment: s.environment,
      target: s.target,
      window: s.windowLabel,
      file: s.file,
      latest: evals.get(s.name)?.latest,
      lastGood: evals.get(s.name)?.lastGood,
    }));
  return { slos, problems: set.problems };
}

/** The digest's SLO line: how many SLOs are in each state, and the one with the least budget left. */
export async function sloDigestSummary(db: SloDeps['db'], orgId: string) {
  const evals = [...(await latestEvaluations(db, orgId)).values()];
  if (!evals.length) return undefined;
  const counts = { healthy: 0, at_risk: 0, breached: 0, unknown: 0 };
  for (const e of evals) counts[e.latest.status]++;
  const withBudget = evals.filter((e) => e.lastGood?.budgetRemaining !== undefined);
  const lowest = withBudget.sort((a, b) => a.lastGood!.budgetRemaining! - b.lastGood!.budgetRemaining!)[0];
  return {
    counts,
    lowest: lowest ? { slo: lowest.latest.slo, budgetRemaining: lowest.lastGood!.budgetRemaining! } : undefined,
  };
}
