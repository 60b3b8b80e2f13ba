import { randomUUID } from 'node:crypto';
import {
  declareBudgetFacts,
  existingReceipts,
  insertReceipts,
  loadCandidates,
} from '../adapters/db/signal-ingest.repo';
import { applyToWatchlist, type WatchItem } from '../adapters/db/signal-watchlist.repo';
import { createGrowthAnalyzer } from '../adapters/db/growth-analyze';
import { dialectOf } from '../adapters/db/create-db';
import type { Actor, Severity, SignalRef } from '../incidents/incident.types';
import { loopBudget, yieldToLoop } from '../shared/yield-to-loop';
import { type AutoDeclarePolicy, toSignalRef } from '../signals/correlation';
import { dedupKey } from '../signals/dedup';
import { normalise } from '../signals/normalisers';
import { evaluateRisk } from '../signals/risk.evaluator';
import type { Signal } from '../signals/signal.types';
import { connectorIsPrivateOnly, onlyPrivateCandidates } from '../adapters/db/privacy.repo';
import { declareCommand } from './declare.command';
import { connectedTo, declaredCandidate, type PlanSettings, planSignal, rememberJoin, topologyPolicy } from './correlation-plan';
import { normaliseInSlices } from './sliced-normalise';
import { createRepeatShare, createSeenReceipts } from './seen-receipts';
import type { AppDeps } from './deps';
import type { IngestConnector, IngestResult } from './signal-ingest.types';
import { batchable, type UnitOfWork } from './incident.service';

export type { IngestConnector, IngestResult } from './signal-ingest.types';

/**
 * Alerts per unit of work. A 1 MiB request (~18,700 alerts) is taken in parts (merged again into one
 * transaction by group commit when no command is waiting), so no transaction holds
 * the database (SQLite: the one connection people's commands need too) or the event loop for long. The
 * 2xx still comes only after the last part committed; if a part fails, the sender's retry finds the
 * earlier parts' alerts as repeats and takes the rest.
 */
const PART = 100;
/** Title of the incident that takes every breached service beyond the auto-declare cap. */
export const STORM_TITLE = 'Alert storm across';

export const connectorActor = (connectorId: string): Actor => ({
  kind: 'connector',
  id: `connector:${connectorId}`,
  role: 'responder',
});

export type SignalIngestService = ReturnType<typeof createSignalIngestService>;

type Counts = Omit<IngestResult, 'warnings' | 'accepted'>;
interface Fresh {
  signal: Signal;
  key: string;
}
interface Part {
  connector: IngestConnector;
  fresh: Fresh[];
}

/** Distinct service/environment pairs still firing from `from` on: the size of a storm as it is declared. */
const servicesAhead = (todo: readonly Fresh[], from: number) =>
  new Set(
    todo
      .slice(from)
      .filter((f) => f.signal.status === 'firing')
      .map((f) => `${f.signal.serviceName}\u0000${f.signal.environment}`),
  ).size;

/**
 * Alerts in: normalise → per alert dedup, risk, correlate, attach or declare, watchlist. Each part of a
 * request is one incident unit of work, grouped with the org's other requests arriving meanwhile (group
 * commit, under the org's lock: two requests about one service never both declare an incident), and
 * answered only once committed. Correlation runs in arrival order, so a request sees the incidents the
 * requests before it in its group opened.
 */
export function createSignalIngestService(
  deps: Pick<AppDeps, 'db' | 'config' | 'incidents' | 'now'> &
    Partial<Pick<AppDeps, 'catalog' | 'logger'>> & { autoDeclare?: AutoDeclarePolicy },
) {
  const autoDeclare = deps.autoDeclare ?? deps.config.autoDeclare;
  const cap = deps.config.autoDeclareLimit ?? { count: 0, windowMs: 0 };
  // The catalog may change between requests: its graph is taken per unit of work.
  const remembered = createSeenReceipts();
  // Postgres only: there the lookup is a round trip on every new alert's path. SQLite reads in-process, and
  // skipping it measured no faster there (seen-receipts.ts).
  const repeats = dialectOf(deps.db) === 'postgres' ? createRepeatShare() : undefined;
  const growth = createGrowthAnalyzer(deps.db, {
    onError: (err) => deps.logger?.warn({ err }, 'ANALYZE after growth failed'),
  });
  const settings = (): PlanSettings => ({ autoDeclare, cap, catalog: deps.catalog, topology: topologyPolicy(deps) });

  /** Parse a sender's body; throws DomainError('invalid_input') listing every problem. Pure, nothing stored. */
  function parse(connector: IngestConnector, body: unknown, receivedAt: Date) {
    return normalise(connector.kind, body, { orgId: connector.orgId, receivedAt: receivedAt.toISOString() });
  }

  async function ingest(connector: IngestConnector, body: unknown): Promise<IngestResult> {
    // People first: a request's parsing and correlation wait while someone's command waits for the writer.
    await deps.incidents.peopleIdle();
    const ctx = { orgId: connector.orgId, receivedAt: deps.now().toISOString() };
    const { signals, warnings } = await normaliseInSlices(connector.kind, body, ctx);
    return { ...(await ingestSignals(connector, signals)), warnings };
  }

  async function ingestSignals(
    connector: IngestConnector,
    signals: readonly Signal[],
  ): Promise<Omit<IngestResult, 'warnings'>> {
    const total = { accepted: signals.length, duplicates: 0, attached: 0, declared: 0, incidentIds: [] as string[] };
    const inRequest = new Set<string>();
    let unchecked = 0; // keys sent to the write path without a lookup first
    const pending: Promise<Counts>[] = [];
    for (let i = 0; i < signals.length; i += PART) {
      if (i > 0) await yieldToLoop();
      const part = signals.slice(i, i + PART);
      const keys = part.map(dedupKey);
      // Receipts are only ever added, so a part whose alerts were all seen before (Alertmanager re-sends every
      // group_interval) needs no write transaction or lock. Keys not remembered are looked up while such keys
      // lately were repeats (seen-receipts.ts); else the write path sorts them out under its lock.
      const unknown = keys.filter((k) => !remembered.has(connector.orgId, k));
      if (unknown.length && (repeats?.lookUpFirst() ?? true)) {
        const stored = await existingReceipts(deps.db, connector.orgId, unknown);
        for (const k of stored) remembered.add(connector.orgId, k);
        repeats?.note(unknown.length, stored.size);
      } else unchecked += unknown.length;
      const fresh: Fresh[] = [];
      part.forEach((signal, j) => {
        if (remembered.has(connector.orgId, keys[j]) || inRequest.has(keys[j])) return; // the same alert twice in one request is a repeat too
        inRequest.add(keys[j]);
        fresh.push({ signal, key: keys[j] });
      });
      total.duplicates += part.length - fresh.length;
      if (fresh.length === 0) continue;
      // Submitted without waiting: a request's parts queue together and group commit takes as many per
      // transaction as the moment allows. Answered only when all are committed; one failing fails the request.
      pending.push(deps.incidents.transact(connector.orgId, batchable({ connector, fresh }, takeParts), { group: true, weight: fresh.length }));
    }
    const settled = await Promise.allSettled(pending);
    const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
    growth.noteRows(inRequest.size);
    // Committed now (stored by this request or found stored under the lock): later deliveries skip the read.
    for (const k of inRequest) remembered.add(connector.orgId, k);
    const before = total.duplicates;
    for (const x of settled) {
      const r = (x as PromiseFulfilledResult<Counts>).value;
      total.duplicates += r.duplicates;
      total.attached += r.attached;
      total.declared += r.declared;
      for (const id of r.incidentIds) if (!total.incidentIds.includes(id)) total.incidentIds.push(id);
    }
    if (unchecked > 0) repeats?.note(unchecked, Math.min(total.duplicates - before, unchecked));
    return total;
  }

  /** How many more incidents alerts may open now, and the storm incident that takes the rest. */
  async function declareBudget(uow: UnitOfWork, now: Date) {
    if (cap.count <= 0) return { left: Infinity, stormId: undefined as string | undefined };
    const since = new Date(now.getTime() - cap.windowMs).toISOString();
    const { used, stormId } = await declareBudgetFacts(uow.trx, uow.orgId, since, STORM_TITLE);
    return { left: cap.count - used, stormId };
  }

  /**
   * Parts of the org's requests gathered into one group commit, in arrival order: consecutive parts of one
   * connector are taken as one batch (one read of receipts and candidates, one write per table).
   */
  async function takeParts(uow: UnitOfWork, parts: Part[]): Promise<Counts[]> {
    const out: Counts[] = [];
    for (let i = 0; i < parts.length; ) {
      let j = i + 1;
      while (j < parts.length && parts[j].connector.id === parts[i].connector.id) j++;
      out.push(...(await take(uow, parts[i].connector, parts.slice(i, j).map((p) => p.fresh))));
      if (j < parts.length) await uow.flush(); // the next connector's batch correlates against these incidents
      i = j;
    }
    return out;
  }

  /** Parts of one connector, inside their unit of work; counts per part. */
  async function take(uow: UnitOfWork, connector: IngestConnector, parts: readonly Fresh[][]): Promise<Counts[]> {
    const { trx, orgId } = uow;
    const actor = connectorActor(connector.id);
    const now = deps.now();
    // A literal, not `{ ...f, part }`: V8 gives each object spread and then extended a hidden class of its own.
    const all = parts.flatMap((fresh, part) => fresh.map((f) => ({ signal: f.signal, key: f.key, part })));
    // Checked again under the lock: a request of the same group or another process may have just stored them.
    const seen = await existingReceipts(
      trx,
      orgId,
      all.map((f) => f.key),
    );
    const counts: Counts[] = parts.map(() => ({ duplicates: 0, attached: 0, declared: 0, incidentIds: [] }));
    const todo = all.filter((f) => {
      if (seen.has(f.key)) {
        counts[f.part].duplicates++;
        return false;
      }
      seen.add(f.key); // the same alert in two requests of one batch: the later one is a repeat
      return true;
    });
    if (todo.length === 0) return counts;

    const plan = settings();
    const batch = todo.map((f) => f.signal);
    // A private-only connector (README "Private incidents"): its alerts open and join private incidents only, and
    // stay off the watchlist (a public surface).
    const privateOnly = connector.privateOnly ?? (await connectorIsPrivateOnly(trx, connector.id));
    const loaded = await loadCandidates(trx, orgId, batch, connectedTo(plan.topology, plan.catalog, batch));
    const candidates = privateOnly ? await onlyPrivateCandidates(trx, orgId, loaded) : loaded;
    const byId = new Map(candidates.map((c) => [c.incidentId, c]));
    let budget: Awaited<ReturnType<typeof declareBudget>> | undefined;
    const watch: WatchItem[] = [];
    const receipts = [];
    const breathe = loopBudget();
    // Each incident's alerts of the batch as one command, in arrival order (decided alert by alert), after
    // the loop: correlation only needs the candidates, and one fold per incident keeps a storm linear.
    const attaches = new Map<string, SignalRef[]>();

    for (const [index, { signal, key, part }] of todo.entries()) {
      const mine = counts[part];
      await breathe();
      const risk = evaluateRisk(signal);
      const decision = await planSignal(plan, signal, risk, candidates, now, async () => (budget ??= await declareBudget(uow, now)));
      const ref = toSignalRef(signal, risk, randomUUID(), decision.kind === 'none' ? undefined : decision.correlation);
      let incidentId: string | null = null;
      const storm = decision.kind === 'declare' && decision.storm;
      if (decision.kind === 'attach') {
        incidentId = decision.incidentId;
        const refs = attaches.get(incidentId);
        if (refs) refs.push(ref);
        else attaches.set(incidentId, [ref]);
        mine.attached++;
      } else if (decision.kind === 'declare') {
        const severity: Severity = decision.severity;
        // Alerts never declare private incidents, unless an admin marked this connector private-only.
        const reason = storm
          ? `More than ${cap.count} incidents were opened by alerts within ${cap.windowMs / 60_000} minutes: ` +
            'further breached services join this incident (AUTO_DECLARE_LIMIT).'
          : `Opened automatically from a ${signal.source} alert: ${risk.reasons.join('; ')}.` +
            (decision.correlation.evidence.tier ? ` ${severity} from the service catalog (tier ${decision.correlation.evidence.tier}).` : '');
        const r = await uow.execute({
          orgId,
          incidentId: randomUUID(),
          actor,
          command: declareCommand(deps.config.channelPrefix, {
            orgId,
            title: storm ? `${STORM_TITLE} ${servicesAhead(todo, index)} services` : signal.title,
            severity,
            service: storm ? undefined : signal.serviceName,
            environment: storm ? undefined : signal.environment,
            description: reason.slice(0, 3000),
            signal: ref,
            ...(privateOnly ? { visibility: 'private' as const, privateChannelPrefix: deps.config.privacy?.channelPrefix } : {}),
          }),
        });
        incidentId = r.incidentId;
        mine.declared++;
        budget!.left--;
        if (storm) budget!.stormId = incidentId;
        const c = declaredCandidate(incidentId, signal, storm);
        candidates.push(c);
        byId.set(incidentId, c);
      }
      if (incidentId) {
        rememberJoin(byId.get(incidentId), signal, now);
        if (!mine.incidentIds.includes(incidentId)) mine.incidentIds.push(incidentId);
      }
      watch.push({ signal, risk, incidentId });
      receipts.push({
        org_id: orgId,
        dedup_key: key,
        connector_id: connector.id,
        incident_id: incidentId,
        received_at: now.toISOString(),
      });
    }

    await uow.preload([...attaches.keys()]);
    for (const [incidentId, signals] of attaches) {
      await breathe();
      await uow.execute({ orgId, incidentId, actor, command: { type: 'AttachSignals', signals } });
    }
    // The watchlist's reads first, then every write of the batch: on Postgres they go out as one statement.
    if (!privateOnly) await applyToWatchlist(trx, orgId, watch, now, actor.id);
    await breathe();
    await uow.flush();
    await breathe();
    await insertReceipts(trx, receipts);
    return counts;
  }

  return { ingest, ingestSignals, parse };
}
