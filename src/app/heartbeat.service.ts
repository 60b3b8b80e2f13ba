import { claimSlot } from '../adapters/db/digest.repo';
import { findHeartbeat, insertHeartbeat, listHeartbeats, markMissed, recordPing } from '../adapters/db/heartbeat.repo';
import type { DB } from '../adapters/db/schema';
import { pruneLeases } from '../adapters/db/slo.repo';
import { DomainError } from '../shared/domain-error';
import {
  heartbeatDeadline,
  heartbeatSignal,
  type HeartbeatState,
  isMissed,
  parseHeartbeatSpec,
} from '../slos/heartbeat.policy';
import type { AppDeps } from './deps';
import { createSignalIngestService, type IngestConnector } from './signal-ingest.service';

/**
 * Heartbeats through the alert pipeline: a miss is a BREACHED signal (watchlist, correlation, auto-declare)
 * and the next ping its resolution. Signals go in before the state changes, and their dedup key is the missed
 * deadline, so a crash or a second replica between the two repeats a signal instead of losing it.
 */

export type HeartbeatDeps = Pick<AppDeps, 'db' | 'config' | 'logger' | 'now' | 'incidents'>;

const connectorOf = (h: HeartbeatState): IngestConnector => ({ id: h.connectorId, orgId: h.orgId, kind: 'generic' });

/** Parse `name every 5m grace 2m` for a new heartbeat connector; invalid_input names the problem. */
export function heartbeatSpecOf(name: string | undefined, given: { interval?: string; grace?: string } = {}) {
  try {
    return parseHeartbeatSpec(name, given);
  } catch (e) {
    throw new DomainError(
      'invalid_input',
      `${(e as Error).message}. Example: \`heartbeat nightly-backup every 24h grace 30m\`.`,
    );
  }
}

export async function registerHeartbeat(
  db: DB,
  h: { connectorId: string; orgId: string; name: string; intervalMs: number; graceMs: number; now: Date },
): Promise<void> {
  await insertHeartbeat(db, { ...h, createdAt: h.now.toISOString() });
}

export function createHeartbeatService(deps: HeartbeatDeps) {
  const ingest = createSignalIngestService(deps);

  /** Resolve a miss: the signal first, then the mark (a repeat of either changes nothing). */
  async function resolve(h: HeartbeatState, since: string, now: Date): Promise<boolean> {
    await ingest.ingestSignals(connectorOf(h), [heartbeatSignal(h, 'resolved', now, since)]);
    return markMissed(deps.db, h.connectorId, null, since);
  }

  /** A ping: remembered first, then a missed heartbeat's signal is resolved (read after the write, see check). */
  async function ping(connectorId: string): Promise<{ name: string; cleared: boolean; nextDeadline: string }> {
    const now = deps.now();
    await recordPing(deps.db, connectorId, now.toISOString());
    const h = await findHeartbeat(deps.db, connectorId);
    if (!h) throw new DomainError('not_found', `No heartbeat connector "${connectorId.slice(0, 64)}".`);
    const cleared = h.missedSince ? await resolve(h, h.missedSince, now) : false;
    const next = heartbeatDeadline({ ...h, lastPingAt: now.toISOString() });
    return { name: h.name, cleared, nextDeadline: new Date(next).toISOString() };
  }

  /** Every heartbeat past its deadline without a firing signal gets one. Returns the connector ids raised. */
  async function check(at: Date = deps.now()): Promise<string[]> {
    const raised: string[] = [];
    for (const h of await listHeartbeats(deps.db)) {
      if (!isMissed(h, at)) continue;
      const since = new Date(heartbeatDeadline(h)).toISOString();
      try {
        await ingest.ingestSignals(connectorOf(h), [heartbeatSignal(h, 'firing', at, since)]);
        if (await markMissed(deps.db, h.connectorId, since, null, h.lastPingAt ?? null)) raised.push(h.connectorId);
        else {
          // A ping landed between the read and the mark (it saw no mark to clear): resolve what was just raised.
          const now = await findHeartbeat(deps.db, h.connectorId);
          if (now && !now.missedSince) await resolve(h, since, at);
        }
      } catch (err) {
        deps.logger.error(
          { err, heartbeat: h.connectorId },
          'could not raise a missed heartbeat; retried on the next check',
        );
      }
    }
    return raised;
  }

  /** The scheduled check: one process per period across replicas (a slot row, as digests use). */
  async function runScheduled(at: Date, by: string, periodMs: number): Promise<string[]> {
    const slot = new Date(Math.floor(at.getTime() / periodMs) * periodMs).toISOString();
    if (!(await claimSlot(deps.db, { orgId: '*', kind: 'heartbeat_check', slot, by, at }))) return [];
    const raised = await check(at);
    await pruneLeases(deps.db, 'heartbeat_check', new Date(at.getTime() - 3_600_000).toISOString());
    return raised;
  }

  return { ping, check, runScheduled };
}

export type HeartbeatService = ReturnType<typeof createHeartbeatService>;
