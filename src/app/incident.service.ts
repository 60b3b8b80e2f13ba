import { randomUUID } from 'node:crypto';
import { dialectOf, isUniqueViolation } from '../adapters/db/create-db';
import { findByIdempotencyKey } from '../adapters/db/event-store';
import type { DB, Trx } from '../adapters/db/schema';
import { decide, fold } from '../incidents/incident.decider';
import type { Actor, IncidentCommand, IncidentEvent, IncidentState } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { type EffectPlanner, noEffects, type PlanContext } from './effects';
import { commandLane } from './command-lane';
import { createGroupCommit } from './group-commit';
import { coalesceWrites } from '../adapters/db/write-coalescer';
import { lockStream } from '../adapters/db/stream-locks';
import { createIncidentLoader } from './incident-loader';
import { createIncidentBatch, flushIncidentBatch, holdWrites, type IncidentBatch } from './incident-batch';

export interface IncidentServiceDeps {
  db: DB;
  now?: () => Date;
  planEffects?: EffectPlanner;
  /** Facts the planner needs from the database, read once per unit of work (its transaction). */
  planContext?: (trx: Trx, orgId: string) => Promise<PlanContext>;
  /** Called after every commit that wrote something (wakes the outbox worker, search indexer…). */
  onCommitted?: (result: CommandResult) => void;
}

export interface CommandRequest {
  orgId: string;
  incidentId: string;
  actor: Actor;
  /** Slack's trigger_id / event_id, an alert's dedup key…: a retry with the same key changes nothing. */
  idempotencyKey?: string;
  /** Builds the command inside the transaction (e.g. to pick the next incident number). */
  command: IncidentCommand | ((trx: Trx, state: IncidentState) => Promise<IncidentCommand>);
}

export interface CommandResult {
  orgId: string;
  incidentId: string;
  state: IncidentState;
  events: IncidentEvent[];
  /** True when the idempotency key was seen before: nothing was written. */
  duplicate: boolean;
}

/**
 * A piece of work inside one incident unit of work: it runs commands through `uow.execute` (their
 * writes are held and written as a few multi-row statements) and may write its own rows with `uow.trx`.
 */
export interface UnitOfWork {
  readonly trx: Trx;
  readonly orgId: string;
  execute(req: CommandRequest): Promise<CommandResult>;
  /** Write the held commands now (before reading tables they change). */
  flush(): Promise<void>;
  /** A hint: these incidents' commands follow; read (and on Postgres lock) them together now. */
  preload(incidentIds: readonly string[]): Promise<void>;
}

export type Work<T> = ((uow: UnitOfWork) => Promise<T>) & {
  /**
   * Grouped works that carry the same `run` and sit next to each other in a group are run as one call with
   * all their items (set-based: one read of what they share, one write per table), in arrival order.
   */
  batch?: WorkBatch;
};

export interface WorkBatch {
  item: unknown;
  /** One value per item, in order; runs inside the group's transaction. */
  run: (uow: UnitOfWork, items: unknown[]) => Promise<unknown[]>;
}

/** A work that can share one call with its neighbours in a group (see `Work.batch`). */
export function batchable<I, R>(item: I, run: (uow: UnitOfWork, items: I[]) => Promise<R[]>): Work<R> {
  const runAll = run as WorkBatch['run'];
  return Object.assign(async (uow: UnitOfWork) => (await run(uow, [item]))[0], { batch: { item, run: runAll } });
}

/** Consecutive works of one batch runner, as one slice; other works alone. */
function slices(works: readonly Work<unknown>[]): Work<unknown>[][] {
  const out: Work<unknown>[][] = [];
  for (const w of works) {
    const last = out[out.length - 1];
    if (w.batch && last?.[0].batch?.run === w.batch.run) last.push(w);
    else out.push([w]);
  }
  return out;
}

export interface WorkOptions {
  /**
   * Share a transaction (and its commit) with the org's other grouped work that arrives meanwhile, under
   * the org's lock (alert ingestion). Ungrouped work (people's commands) never waits for a group.
   */
  group?: boolean;
  /** Size of the work (alerts) so a group stays short. */
  weight?: number;
  /** Someone is waiting for it (a person's command): on SQLite it goes before the next alert group. */
  person?: boolean;
}

const MAX_ATTEMPTS = 20;
/** A group stops gathering at this many alerts or requests: one transaction stays tens of milliseconds. */
export const GROUP_MAX_WEIGHT = 1000;
/**
 * SQLite has one writer, so a command waits for the alert group in progress: while people are typing
 * commands (one in the last second), groups stay this small (a request's part), and the next group waits
 * until no command is waiting. Postgres runs them side by side (locks are per incident).
 */
const GROUP_WEIGHT_WITH_COMMANDS = 100;
const GROUP_MAX_JOBS = 64;
/**
 * Postgres: after a group commits, how long to wait for its senders' next requests (group-commit.ts).
 * Measured with 8 closed-loop senders of single alerts: groups of 3.3 → 4.9 alerts, +15–20 % alerts/s at
 * 4–8 ms (2 ms: no gain); batches unchanged. SQLite commits synchronously, so nothing arrives meanwhile.
 */
const REGATHER_MS = 5;

/** Lost races worth running the whole unit again for: a unique key taken meanwhile, or a Postgres deadlock/serialisation failure. */
const retryable = (e: unknown) =>
  isUniqueViolation(e) || ['40P01', '40001'].includes((e as { code?: string })?.code ?? '');

export type IncidentService = ReturnType<typeof createIncidentService>;

/**
 * The one incident unit of work: load → decide → append + project + enqueue effects in one
 * transaction, which it opens, locks (Postgres advisory locks: the stream, or the org for numbering and
 * ingestion), retries on a lost race, commits, and then reports through `onCommitted` (wakes the
 * outbox worker and the search indexer). Callers never sequence flushes or commits.
 */
export function createIncidentService(deps: IncidentServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const plan = deps.planEffects ?? noEffects;
  const pg = dialectOf(deps.db) === 'postgres';
  const states = createIncidentLoader(pg);
  const { load } = states;

  /**
   * The body of one command inside the unit's transaction. States written in that transaction are kept
   * in its batch (uncommitted, so never in the shared cache) and their writes are held until the batch
   * is flushed: a unit of many commands neither re-reads its own events nor writes row by row.
   */
  async function run(trx: Trx, req: CommandRequest, batch: IncidentBatch, ctx: PlanContext): Promise<CommandResult> {
    // Idempotency lookups and command builders (incident numbering) read the tables: write what is held first.
    if (req.idempotencyKey || typeof req.command === 'function') await flushIncidentBatch(trx, batch);
    const local = batch.states;
    if (req.idempotencyKey) {
      const seen = await findByIdempotencyKey(trx, req.orgId, req.idempotencyKey);
      if (seen) {
        const state = await load(trx, req.orgId, seen.incident_id, local);
        return { orgId: req.orgId, incidentId: seen.incident_id, state, events: [], duplicate: true };
      }
    }
    // Written earlier in this transaction: already locked (Postgres) and current, nothing to re-read.
    const mine = local.get(req.incidentId);
    // One stream's writers, and one org's declarations (numbering), in turn (stream-locks.ts).
    const key = typeof req.command === 'function' ? `org:${req.orgId}` : req.incidentId;
    const before =
      mine && mine.orgId === req.orgId
        ? mine
        : !mine && !batch.locks.has(key)
          ? await states.lockedLoad(trx, key, req.orgId, req.incidentId, local)
          : await load(trx, req.orgId, req.incidentId, local);
    const command = typeof req.command === 'function' ? await req.command(trx, before) : req.command;
    const at = now();
    const data = decide(command, before, req.actor);
    const occurredAt = at.toISOString();
    // The envelope first, then the data: `{ ...d, incidentId, … }` gave every event a V8 hidden class of its
    // own (measured 5.8 vs 0.08 µs an event; shared/same-shape.ts says why).
    const events = data.map((d, i) =>
      Object.assign(
        { incidentId: req.incidentId, orgId: req.orgId, seq: before.version + i + 1, actor: req.actor.id, occurredAt },
        d,
      ),
    ) as IncidentEvent[];
    const after = fold(before, events);
    holdWrites(batch, after, events, plan(before, after, events, at, ctx), at, req.idempotencyKey);
    return { orgId: req.orgId, incidentId: req.incidentId, state: after, events, duplicate: false };
  }

  /** One transaction for these works, in order; after its commit, cache the states and report them. */
  async function attempt(orgId: string, works: readonly Work<unknown>[], lockOrg: boolean): Promise<unknown[]> {
    // What to report after the commit. Each command's own state is not kept: a storm folds thousands of
    // commands onto one incident, and holding every intermediate state (each with its signal list) would
    // grow quadratically; the incident's final state in this transaction stands in for all of them.
    const results: Array<Omit<CommandResult, 'state'>> = [];
    const final = new Map<string, IncidentState>();
    const touched = new Set<string>();
    try {
      const values = await deps.db.transaction().execute(async (real) => {
        // Postgres: the unit's inserts travel together (write-coalescer.ts); SQLite has no round trips to save.
        const writes = pg ? coalesceWrites(real) : undefined;
        const trx = writes?.trx ?? real;
        const batch = createIncidentBatch();
        if (pg && lockOrg) {
          await lockStream(trx, `org:${orgId}`);
          batch.locks.add(`org:${orgId}`);
        }
        const ctx = (await deps.planContext?.(trx, orgId)) ?? {};
        const uow: UnitOfWork = {
          trx,
          orgId,
          execute: async (req) => {
            touched.add(req.incidentId);
            const r = await run(trx, req, batch, ctx);
            results.push({ orgId: r.orgId, incidentId: r.incidentId, events: r.events, duplicate: r.duplicate });
            final.set(r.incidentId, r.state);
            return r;
          },
          flush: () => flushIncidentBatch(trx, batch),
          preload: (ids) => states.preload(trx, orgId, ids, batch),
        };
        const out: unknown[] = [];
        for (const slice of slices(works)) {
          const run = slice[0].batch?.run;
          if (run && slice.length > 1) out.push(...(await run(uow, slice.map((w) => w.batch!.item))));
          else out.push(await slice[0](uow));
          // Written per slice, so the next slice of a group reads (and correlates against) this one's rows.
          await flushIncidentBatch(trx, batch);
        }
        await writes?.flush();
        return out;
      });
      for (const state of final.values()) states.remember(state);
      for (const r of results) if (r.events.length > 0) deps.onCommitted?.({ ...r, state: final.get(r.incidentId)! });
      return values;
    } catch (e) {
      for (const id of touched) states.forget(id); // someone else may have appended: reload from the log
      throw e;
    }
  }

  async function withRetry<T>(f: () => Promise<T>, conflict: string): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await f();
      } catch (e) {
        if (!retryable(e)) throw e;
        if (n >= MAX_ATTEMPTS) throw new DomainError('conflict', conflict);
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 5 * n)));
      }
    }
  }

  const commands = commandLane(!pg);
  const groups = createGroupCommit<Work<unknown>>(
    async (orgId, works) => {
      await commands.idle();
      return withRetry(() => attempt(orgId, works, true), 'Too many simultaneous deliveries; please retry.');
    },
    {
      maxWeight: () => (commands.recent() ? GROUP_WEIGHT_WITH_COMMANDS : GROUP_MAX_WEIGHT),
      maxJobs: GROUP_MAX_JOBS,
      regatherMs: pg ? REGATHER_MS : 0,
    },
  );

  /** Run `work` as one unit of work of `orgId` and resolve once it is committed (or throw: nothing of it was). */
  function transact<T>(orgId: string, work: Work<T>, opts: WorkOptions = {}): Promise<T> {
    if (opts.group) return groups.submit(orgId, work, opts.weight ?? 1) as Promise<T>;
    const conflict = 'Too many simultaneous changes to this incident; please try again.';
    const once = () => withRetry(async () => (await attempt(orgId, [work], false))[0] as T, conflict);
    return opts.person ? commands.run(once) : once();
  }

  return {
    /** One command as its own unit of work. */
    execute: (req: CommandRequest): Promise<CommandResult> =>
      transact(req.orgId, (uow) => uow.execute(req), { person: req.actor.kind === 'user' }),
    transact,
    /** Group commit counters (tests, bench). */
    groupStats: groups.stats,
    /** Until no person's command waits for the writer (at most 50 ms; at once on Postgres). */
    peopleIdle: commands.idle,
    load: (orgId: string, incidentId: string) => load(deps.db, orgId, incidentId),
    newIncidentId: () => randomUUID(),
    forget: states.forget,
  };
}
