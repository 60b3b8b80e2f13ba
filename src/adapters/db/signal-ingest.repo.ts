import { type Insertable, sql } from 'kysely';
import type { CorrelationCandidate } from '../../signals/correlation';
import type { Signal } from '../../signals/signal.types';
import type { IncidentStatus } from '../../incidents/incident.types';
import type { SignalReceiptsTable } from './connector.tables';
import type { DB, Trx } from './schema';
import { insertOnce, queryOnce } from './compile-once';
import { dialectOf } from './create-db';

/** Well under SQLite's and Postgres's bound-parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const unique = (xs: Array<string | undefined>): string[] => [...new Set(xs.filter((x): x is string => !!x))];

/** Which of these dedup keys this org has already received. */
export async function existingReceipts(trx: Trx | DB, orgId: string, keys: readonly string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const part of chunks(unique([...keys]))) {
    const rows = await queryOnce(trx, 'receipts-seen', [orgId, ...part], () =>
      trx.selectFrom('signal_receipts').select('dedup_key').where('org_id', '=', orgId).where('dedup_key', 'in', part),
    );
    for (const r of rows) seen.add(r.dedup_key);
  }
  return seen;
}

/** Plain inserts: a concurrent writer of the same key makes this fail, and the caller's retry then sees it as a repeat. */
export async function insertReceipts(trx: Trx, rows: Insertable<SignalReceiptsTable>[]): Promise<void> {
  for (const part of chunks(rows, 200)) {
    await insertOnce(trx, 'receipts', part, (r) => trx.insertInto('signal_receipts').values(r as never));
  }
}

const OPEN: IncidentStatus[] = ['OPEN', 'INVESTIGATING', 'MITIGATED'];
const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/**
 * The open incidents of an org as correlation candidates for this batch of signals. Only what the
 * batch can match is loaded: fingerprints, keys and trace ids the batch carries, and the latest-signal
 * time of incidents it could match (the whole signal list of a stormy incident is never read).
 */
export async function loadCandidates(
  trx: Trx | DB,
  orgId: string,
  signals: readonly Signal[],
  /** Topology: whether an incident's service is connected to one of the batch's (its last signal is then read too). */
  connected?: (incidentService: string) => boolean,
): Promise<CorrelationCandidate[]> {
  const open = await queryOnce(trx, 'open-incidents', [orgId, ...OPEN], () =>
    trx
      .selectFrom('incidents')
      .select(['id', 'status', 'service', 'environment', 'updated_at'])
      .where('org_id', '=', orgId)
      .where('status', 'in', OPEN),
  );
  if (open.length === 0) return [];
  const byId = new Map<string, CorrelationCandidate>(
    open.map((i) => [
      i.id,
      {
        incidentId: i.id,
        status: i.status as IncidentStatus,
        service: i.service ?? undefined,
        environment: i.environment ?? undefined,
        updatedAt: i.updated_at,
        correlationKeys: [],
        traceIds: [],
        fingerprints: [],
      },
    ]),
  );
  const relevant = new Set<string>();
  const pairs = new Set(signals.map((s) => `${norm(s.serviceName)}\u0000${norm(s.environment)}`));
  for (const i of open) {
    if (pairs.has(`${norm(i.service)}\u0000${norm(i.environment)}`) || (i.service && connected?.(i.service))) relevant.add(i.id);
  }

  const lookups: Array<
    ['fingerprint' | 'correlation_key' | 'trace_id', string[], (c: CorrelationCandidate, v: string) => void]
  > = [
    ['fingerprint', unique(signals.map((s) => s.fingerprint)), (c, v) => c.fingerprints!.push(v)],
    ['correlation_key', unique(signals.map((s) => s.correlationKey)), (c, v) => c.correlationKeys.push(v)],
    ['trace_id', unique(signals.map((s) => s.traceId)), (c, v) => c.traceIds.push(v)],
  ];
  for (const [column, values, add] of lookups) {
    for (const part of chunks(values)) {
      const rows = await trx
        .selectFrom('incident_signals')
        .select(['incident_id', column])
        .where('org_id', '=', orgId)
        .where(column, 'in', part)
        .execute();
      for (const r of rows) {
        const c = byId.get(r.incident_id);
        const v = (r as Record<string, string | null>)[column];
        if (!c || !v) continue;
        add(c, v);
        relevant.add(c.incidentId);
      }
    }
  }
  for (const [id, at] of await latestSignals(trx, orgId, [...relevant])) byId.get(id)!.lastSignalAt = at;
  return [...byId.values()];
}

/**
 * The latest signal only matters for incidents the batch can match (the window rule, and ties). One seek per
 * incident on (incident_id, last_seen_at): a grouped max would read a stormy incident's every signal. On
 * Postgres all the seeks go in one statement (one round trip instead of one per incident).
 */
async function latestSignals(trx: Trx | DB, orgId: string, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length > 1 && dialectOf(trx) === 'postgres') {
    const { rows } = await sql<{ id: string; at: string | null }>`select c.id, (select s.last_seen_at
        from incident_signals s where s.incident_id = c.id and s.org_id = ${orgId}
        order by s.last_seen_at desc limit 1) as at
      from unnest(${ids}::text[]) as c(id)`.execute(trx);
    for (const r of rows) if (r.at) out.set(r.id, r.at);
    return out;
  }
  for (const id of ids) {
    const last = await trx
      .selectFrom('incident_signals')
      .select('last_seen_at')
      .where('incident_id', '=', id)
      .where('org_id', '=', orgId)
      .orderBy('last_seen_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last) out.set(id, last.last_seen_at);
  }
  return out;
}


/**
 * What the auto-declare cap needs, in one statement (one round trip on Postgres): how many incidents alerts
 * opened in this org since `since` (the cap's window), and the org's open storm incident (opened by alerts,
 * no service of its own, the storm title), if any.
 */
export async function declareBudgetFacts(
  trx: Trx | DB,
  orgId: string,
  since: string,
  titlePrefix: string,
): Promise<{ used: number; stormId: string | undefined }> {
  const like = `${titlePrefix}%`;
  const params = [orgId, 'auto', since, orgId, ...OPEN, 'auto', like, 1];
  const [row] = await queryOnce(trx, 'declare-budget', params, () =>
    trx.selectNoFrom((eb) => [
      eb
        .selectFrom('incidents')
        .select(eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', orgId)
        .where('source', '=', 'auto')
        .where('created_at', '>=', since)
        .as('used'),
      eb
        .selectFrom('incidents')
        .select('id')
        .where('org_id', '=', orgId)
        .where('status', 'in', OPEN)
        .where('source', '=', 'auto')
        .where('service', 'is', null)
        .where('title', 'like', like)
        .orderBy('created_at', 'desc')
        .limit(1)
        .as('storm_id'),
    ]),
  );
  return { used: Number(row?.used ?? 0), stormId: row?.storm_id ?? undefined };
}
