import { randomUUID } from 'node:crypto';
import { type DeliveryOutcome, QUEUE_FREE_KINDS } from '../../app/effects';
import { isUniqueViolation } from '../db/create-db';
import type { DB } from '../db/schema';
import { type Candidate, candidateById, createCandidateQuery, settledOutcome } from './outbox.candidates';
import { executeOnce } from '../db/compile-once';

export type { DeliveryOutcome } from '../../app/effects';

/** A row as stored: the kind is only a string here; src/adapters/outbox/effect-registry.ts types it. */
export interface OutboxRow {
  id: number;
  org_id: string;
  incident_id: string | null;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 on the first try; above 1 the handler must check whether an earlier try already took effect. */
  attempts: number;
}

export type DeliverRow = (row: OutboxRow) => Promise<DeliveryOutcome>;

/**
 * Delivery is background work: with SQLite every statement resolves at once, so a pass ran as one burst of
 * microtasks, interleaved with (and delaying) the request that committed the row. Resuming in the event
 * loop's check phase lets waiting requests go first (a note's ack p99 at 200/s: ~31 → ~19 ms, README).
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
export const DEFAULT_LEASE_MS = 30_000;
/** With the backoff capped at a minute, about 25 minutes of trying before an effect is given up. */
const MAX_ATTEMPTS = 30;

export interface OutboxWorkerOptions {
  db: DB;
  deliver: DeliverRow;
  /** Kinds that never hold back an incident's later rows; by default those the effect table marks so. */
  queueFreeKinds?: readonly string[];
  now?: () => Date;
  pollMs?: number;
  batch?: number;
  /** How long a claim holds without renewal; a crashed worker's rows are re-claimed after this. */
  leaseMs?: number;
  /** Rows of different incidents delivered at once. */
  concurrency?: number;
  /** First retry delay; doubles per attempt up to a minute. */
  backoffBaseMs?: number;
  onOutcome?: (row: OutboxRow, outcome: DeliveryOutcome) => void;
  onError?: (err: unknown) => void;
  /** A retry that does not count towards giving up (the far side is unreachable: wait for it, however long). */
  keepTrying?: (outcome: DeliveryOutcome) => boolean;
}

export const backoffMs = (attempt: number, baseMs = 500) => Math.min(60_000, baseMs * 2 ** Math.max(0, attempt - 1));

/**
 * Delivers outbox rows. Rows of one incident go out in order; a row is claimed with a conditional
 * UPDATE (a lease, renewed while the handler runs), so several processes can share one database
 * without delivering a row twice, and a crashed process's rows are taken over once its lease lapses.
 */
export function createOutboxWorker(opts: OutboxWorkerOptions) {
  const now = opts.now ?? (() => new Date());
  const workerId = randomUUID();
  const db = opts.db;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const FREE = [...(opts.queueFreeKinds ?? QUEUE_FREE_KINDS)];
  const isFree = (kind: string) => FREE.includes(kind);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = true;

  const candidates = createCandidateQuery(db, FREE, opts.batch ?? 50);

  async function claim(id: number, attempts: number, at: Date): Promise<boolean> {
    const iso = at.toISOString();
    // The lease runs from now, not from the start of the pass (a long pass must not hand out spent leases).
    const until = new Date(now().getTime() + leaseMs).toISOString();
    const params = ['in_flight', workerId, until, attempts + 1, id, attempts, 'pending', 'in_flight', iso];
    const res = await executeOnce(db, 'outbox-claim', params, () =>
      db
        .updateTable('outbox')
        .set({ status: 'in_flight', locked_by: workerId, locked_until: until, attempts: attempts + 1 })
        .where('id', '=', id)
        .where('attempts', '=', attempts)
        .where((eb) =>
          eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'in_flight'), eb('locked_until', '<', iso)])]),
        ),
    );
    return Number(res.numAffectedRows) === 1;
  }

  /** Keep the lease while a slow handler runs, so only a dead worker's rows are taken over. */
  function renewWhileRunning(id: number): () => void {
    const t = setInterval(
      () => {
        db.updateTable('outbox')
          .set({ locked_until: new Date(now().getTime() + leaseMs).toISOString() })
          .where('id', '=', id)
          .where('locked_by', '=', workerId)
          .where('status', '=', 'in_flight')
          .execute()
          .catch((e) => opts.onError?.(e));
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    t.unref?.();
    return () => clearInterval(t);
  }

  async function settle(row: OutboxRow & { dedupeKey: string | null }, outcome: DeliveryOutcome) {
    const at = now();
    const base = db.updateTable('outbox').where('id', '=', row.id).where('locked_by', '=', workerId);
    if (outcome.type === 'done') {
      const delivered = at.toISOString();
      const result = outcome.result ? JSON.stringify(outcome.result) : null;
      await executeOnce(db, 'outbox-done', ['done', delivered, result, null, null, row.id, workerId], () =>
        base.set({ status: 'done', delivered_at: delivered, result, locked_until: null, last_error: null }),
      );
    } else if (outcome.type === 'retry' && (row.attempts < MAX_ATTEMPTS || opts.keepTrying?.(outcome))) {
      const wait = outcome.afterMs ?? backoffMs(row.attempts, opts.backoffBaseMs);
      try {
        await base
          .set({
            status: 'pending',
            next_attempt_at: new Date(at.getTime() + wait).toISOString(),
            last_error: outcome.error,
            locked_until: null,
          })
          .execute();
      } catch (e) {
        // A newer request with the same dedupe key is already pending; it renders the current state, so this one is covered.
        if (!row.dedupeKey || !isUniqueViolation(e)) throw e;
        await base
          .set({
            status: 'done',
            delivered_at: at.toISOString(),
            result: JSON.stringify({ superseded: true }),
            locked_until: null,
            last_error: outcome.error,
          })
          .execute();
      }
    } else {
      await base
        .set({
          status: 'failed',
          last_error:
            outcome.type === 'failed' ? outcome.error : `gave up after ${row.attempts} attempts: ${outcome.error}`,
          locked_until: null,
        })
        .execute();
    }
    opts.onOutcome?.(row, outcome);
  }

  /** Rows this worker is delivering now, so deliverNow can wait for a delivery the poller started. */
  const inHand = new Map<number, Promise<DeliveryOutcome | undefined>>();

  /** Claim, deliver and settle one row; undefined when another lane or worker has it. */
  function deliverOne(r: Candidate, at: Date): Promise<DeliveryOutcome | undefined> {
    if (inHand.has(r.id)) return Promise.resolve(undefined);
    const p = claimAndDeliver(r, at).finally(() => inHand.delete(r.id));
    inHand.set(r.id, p);
    return p;
  }

  async function claimAndDeliver(r: Candidate, at: Date): Promise<DeliveryOutcome | undefined> {
    if (!(await claim(r.id, r.attempts, at))) return undefined;
    const row = {
      id: r.id,
      org_id: r.org_id,
      incident_id: r.incident_id,
      kind: r.kind,
      payload: JSON.parse(r.payload),
      attempts: r.attempts + 1,
      dedupeKey: r.dedupe_key,
    };
    const stopRenewing = renewWhileRunning(row.id);
    let outcome: DeliveryOutcome;
    try {
      const { dedupeKey: _, ...visible } = row;
      outcome = await opts.deliver(visible);
    } catch (e) {
      outcome = { type: 'retry', error: e instanceof Error ? e.message : String(e) };
    } finally {
      stopRenewing();
    }
    await yieldToIo();
    await settle(row, outcome);
    return outcome;
  }

  /**
   * Claim one row now and deliver it, whatever else is due: for a process that wrote the row and wants
   * the answer before it exits (the CLI, the sandbox). When this worker's poller took the row first, its
   * delivery is awaited; a settled row answers with how it settled, without a second delivery. Undefined
   * when the row is gone, waits for a retry, or is in another worker's hands; a retry outcome leaves it
   * pending for a running bot.
   */
  async function deliverNow(id: number): Promise<DeliveryOutcome | undefined> {
    const held = inHand.get(id);
    if (held) return held;
    const at = now();
    const r = await candidateById(db, id, at.toISOString());
    const mine = await (inHand.get(id) ?? (r ? deliverOne(r, at) : undefined));
    return mine ?? (await inHand.get(id)) ?? settledOutcome(db, id);
  }

  /** One pass: deliver what is due. Returns how many rows were handled. */
  async function runOnce(keepGoing: () => boolean = () => true): Promise<number> {
    const at = now();
    const rows = await candidates(at.toISOString());
    const seenIncidents = new Set<string>();
    const queue = rows.filter((r) => {
      // Only the first due row of an incident per pass keeps per-incident order.
      if (!r.incident_id || isFree(r.kind)) return true;
      if (seenIncidents.has(r.incident_id)) return false;
      seenIncidents.add(r.incident_id);
      return true;
    });
    let handled = 0;
    // Different incidents in parallel; a stop request ends the pass after the rows already in hand.
    const lane = async () => {
      for (let r = queue.shift(); r && keepGoing(); r = queue.shift()) {
        await yieldToIo();
        if (!keepGoing()) break;
        try {
          if (await deliverOne(r, at)) handled++;
        } catch (e) {
          // The database went away mid-row (claim or settle): the lease hands the row back later; other lanes go on.
          opts.onError?.(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, lane));
    return handled;
  }

  async function loop() {
    await yieldToIo();
    do {
      again = false;
      try {
        while ((await runOnce(() => !stopped)) > 0 && !stopped) {
          await yieldToIo();
        }
      } catch (e) {
        opts.onError?.(e);
      }
    } while (again && !stopped);
    return 0;
  }

  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = loop().finally(() => {
      running = null;
    });
  }

  return {
    workerId,
    runOnce: () => runOnce(),
    deliverNow,
    kick,
    start() {
      stopped = false;
      const tick = () => {
        kick();
        timer = setTimeout(tick, opts.pollMs ?? 250);
        timer.unref?.();
      };
      tick();
    },
    /** Stop claiming rows and wait for the ones in hand to be delivered and settled. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    /** Tests: deliver until nothing due is left (bounded). */
    async drain(maxRounds = 200) {
      for (let i = 0; i < maxRounds; i++) if ((await runOnce()) === 0) return;
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
