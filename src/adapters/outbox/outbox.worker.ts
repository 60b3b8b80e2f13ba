import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DB } from '../db/schema';

export interface OutboxRow {
  id: number;
  org_id: string;
  incident_id: string | null;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 on the first try; above 1 the handler must check whether an earlier try already took effect. */
  attempts: number;
}

export type DeliveryOutcome =
  | { type: 'done'; result?: Record<string, unknown> }
  | { type: 'retry'; afterMs: number; error: string }
  | { type: 'failed'; error: string };

export type Deliver = (row: OutboxRow) => Promise<DeliveryOutcome>;

/** Kinds that never hold back an incident's later effects (they render the current state when they run). */
const NON_BLOCKING = ['incident.sync_summary', 'incident.signal_rollup'];
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 12;

export interface OutboxWorkerOptions {
  db: DB;
  deliver: Deliver;
  now?: () => Date;
  pollMs?: number;
  batch?: number;
  onOutcome?: (row: OutboxRow, outcome: DeliveryOutcome) => void;
  onError?: (err: unknown) => void;
}

export const backoffMs = (attempt: number) => Math.min(60_000, 500 * 2 ** Math.max(0, attempt - 1));

/**
 * Delivers outbox rows. Rows of one incident go out in order; a row is claimed with a conditional
 * UPDATE (a lease), so several processes can share one database without delivering a row twice.
 */
export function createOutboxWorker(opts: OutboxWorkerOptions) {
  const now = opts.now ?? (() => new Date());
  const workerId = randomUUID();
  const db = opts.db;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = true;

  async function candidates(at: string) {
    return db
      .selectFrom('outbox as o')
      .select(['o.id', 'o.org_id', 'o.incident_id', 'o.kind', 'o.payload', 'o.attempts'])
      .where((eb) =>
        eb.or([
          eb.and([eb('o.status', '=', 'pending'), eb('o.next_attempt_at', '<=', at)]),
          eb.and([eb('o.status', '=', 'in_flight'), eb('o.locked_until', '<', at)]),
        ]),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('outbox as p')
              .select(sql`1`.as('one'))
              .whereRef('p.incident_id', '=', 'o.incident_id')
              .whereRef('p.id', '<', 'o.id')
              .where('p.status', 'in', ['pending', 'in_flight'])
              .where('p.kind', 'not in', NON_BLOCKING),
          ),
        ),
      )
      .orderBy('o.id')
      .limit(opts.batch ?? 50)
      .execute();
  }

  async function claim(id: number, attempts: number, at: Date): Promise<boolean> {
    const iso = at.toISOString();
    const res = await db
      .updateTable('outbox')
      .set({ status: 'in_flight', locked_by: workerId, locked_until: new Date(at.getTime() + LEASE_MS).toISOString(), attempts: attempts + 1 })
      .where('id', '=', id)
      .where('attempts', '=', attempts)
      .where((eb) => eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'in_flight'), eb('locked_until', '<', iso)])]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async function settle(row: OutboxRow, outcome: DeliveryOutcome) {
    const at = now();
    const base = db.updateTable('outbox').where('id', '=', row.id).where('locked_by', '=', workerId);
    if (outcome.type === 'done') {
      await base.set({ status: 'done', delivered_at: at.toISOString(), result: outcome.result ? JSON.stringify(outcome.result) : null, locked_until: null, last_error: null }).execute();
    } else if (outcome.type === 'retry' && row.attempts < MAX_ATTEMPTS) {
      await base.set({ status: 'pending', next_attempt_at: new Date(at.getTime() + outcome.afterMs).toISOString(), last_error: outcome.error, locked_until: null }).execute();
    } else {
      await base.set({ status: 'failed', last_error: outcome.type === 'failed' ? outcome.error : `gave up after ${row.attempts} attempts: ${outcome.error}`, locked_until: null }).execute();
    }
    opts.onOutcome?.(row, outcome);
  }

  /** One pass: deliver what is due. Returns how many rows were handled. */
  async function runOnce(): Promise<number> {
    const at = now();
    const rows = await candidates(at.toISOString());
    let handled = 0;
    const seenIncidents = new Set<string>();
    for (const r of rows) {
      // Only the first due row of an incident per pass keeps per-incident order.
      const key = r.incident_id ?? `row:${r.id}`;
      if (r.incident_id && !NON_BLOCKING.includes(r.kind)) {
        if (seenIncidents.has(key)) continue;
        seenIncidents.add(key);
      }
      if (!(await claim(r.id, r.attempts, at))) continue;
      const row: OutboxRow = { id: r.id, org_id: r.org_id, incident_id: r.incident_id, kind: r.kind, payload: JSON.parse(r.payload), attempts: r.attempts + 1 };
      let outcome: DeliveryOutcome;
      try {
        outcome = await opts.deliver(row);
      } catch (e) {
        outcome = { type: 'retry', afterMs: backoffMs(row.attempts), error: e instanceof Error ? e.message : String(e) };
      }
      await settle(row, outcome);
      handled++;
    }
    return handled;
  }

  async function loop() {
    do {
      again = false;
      try {
        while ((await runOnce()) > 0 && !stopped) {
          /* keep going while there is work */
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
    runOnce,
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
    /** Stop polling and wait for the batch in hand to finish. */
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
