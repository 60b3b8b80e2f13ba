import type { Insertable, Selectable } from 'kysely';
import type { RiskResult, Signal } from '../../signals/signal.types';
import type { Trx } from './schema';
import type { WatchlistHistoryTable, WatchlistTable } from './watchlist.tables';
import { insertOnce } from './compile-once';
import { firingScores, type Tally, tally } from './firing-signals.queries';

/**
 * Watchlist writes from alert ingestion. One entry per org + service + environment: the worst of the
 * alerts firing there now (kept per fingerprint in `firing_signals`), with the details of the worst
 * recent one; when the last of them resolves the entry is CLEARED. A history row marks each status change.
 */

export interface WatchItem {
  signal: Signal;
  risk: RiskResult;
  incidentId: string | null;
}

export type WatchStatus = 'AT_RISK' | 'BREACHED' | 'CLEARED';

const groupKey = (s: Signal) => `${s.serviceName}\u0000${s.environment}`;
const alertKey = (s: Signal) => `${s.source}\u0000${s.fingerprint}`;

/** Rows per multi-row statement (9 columns): well under both dialects' bound-parameter limits. */
const ROWS = 500;
const inChunks = <T>(xs: readonly T[], n = ROWS): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

interface Group {
  service: string;
  environment: string;
  items: WatchItem[];
  firing: WatchItem[];
  resolved: WatchItem[];
}

/**
 * Apply one request's signals (in arrival order) to `firing_signals` and the watchlist, inside the ingest
 * transaction: one multi-row statement per table for the whole request (a read of what is known, the
 * firing upserts, the resolutions, the entries, their history), whatever the number of services.
 */
export async function applyToWatchlist(
  trx: Trx,
  orgId: string,
  items: readonly WatchItem[],
  now: Date,
  actor: string,
): Promise<void> {
  const at = now.toISOString();
  const groups = new Map<string, Group>();
  // The last word on each alert in this request wins (a request may carry firing then resolved).
  const finals = new Map<string, Map<string, WatchItem>>();
  for (const it of items) {
    const k = groupKey(it.signal);
    let g = groups.get(k);
    if (!g)
      groups.set(
        k,
        (g = {
          service: it.signal.serviceName,
          environment: it.signal.environment,
          items: [],
          firing: [],
          resolved: [],
        }),
      );
    g.items.push(it);
    let f = finals.get(k);
    if (!f) finals.set(k, (f = new Map()));
    f.set(alertKey(it.signal), it);
  }

  const all = [...finals.values()].flatMap((f) => [...f.values()]);
  const known = new Map<string, number>();
  for (const part of inChunks(all)) {
    for (const r of await firingScores(trx, orgId, part))
      known.set(`${r.source}\u0000${r.fingerprint}`, Number(r.score));
  }

  // Both reads before any write: on Postgres the writes then travel in one statement (write-coalescer.ts).
  const entries = new Map<string, WatchlistRow>();
  for (const part of inChunks([...groups.values()])) {
    const rows = await trx
      .selectFrom('watchlist')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('service', 'in', [...new Set(part.map((g) => g.service))])
      .where('environment', 'in', [...new Set(part.map((g) => g.environment))])
      .execute();
    for (const r of rows) entries.set(`${r.service}\u0000${r.environment}`, r);
  }

  for (const [k, g] of groups) {
    const f = [...finals.get(k)!.values()];
    // A firing alert whose metrics are all within thresholds is CLEARED (risk.evaluator.ts): it no longer counts.
    const live = (x: WatchItem) => x.signal.status === 'firing' && x.risk.level !== 'CLEARED';
    g.firing = f.filter(live);
    g.resolved = f.filter((x) => !live(x) && known.has(alertKey(x.signal)));
  }
  const firingRows = new Map<string, FiringSignalRow>();
  for (const g of groups.values())
    for (const x of g.firing) firingRows.set(alertKey(x.signal), firingRow(orgId, g, x, at));
  for (const part of inChunks([...firingRows.values()])) {
    await insertOnce(trx, 'firing', part, (r) =>
      trx
        .insertInto('firing_signals')
        .values(r as never)
        .onConflict((oc) =>
          oc.columns(['org_id', 'source', 'fingerprint']).doUpdateSet((eb) => ({
            service: eb.ref('excluded.service'),
            environment: eb.ref('excluded.environment'),
            level: eb.ref('excluded.level'),
            score: eb.ref('excluded.score'),
            incident_id: eb.fn.coalesce('excluded.incident_id', 'firing_signals.incident_id'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    );
  }
  const gone = [...groups.values()].flatMap((g) => g.resolved).filter((x) => !firingRows.has(alertKey(x.signal)));
  for (const part of inChunks(gone)) {
    await trx
      .deleteFrom('firing_signals')
      .where('org_id', '=', orgId)
      .where((eb) =>
        eb(
          eb.refTuple('source', 'fingerprint'),
          'in',
          part.map((x) => eb.tuple(x.signal.source, x.signal.fingerprint)),
        ),
      )
      .execute();
  }

  const upserts: WatchlistRow[] = [];
  const history: Array<Insertable<WatchlistHistoryTable>> = [];
  for (const [k, g] of groups) {
    const entry = entries.get(k);
    const live = entry && entry.status !== 'CLEARED';
    const added = g.firing.filter((x) => !known.has(alertKey(x.signal)));
    const lowered = g.firing.some((x) => (known.get(alertKey(x.signal)) ?? -1) > x.risk.score);
    // Only new alerts and no lowered/removed ones (a storm): the tally follows from the entry without a scan.
    const t: Tally =
      live && g.resolved.length === 0 && !lowered
        ? {
            count: entry.firing_count + added.length,
            score: g.firing.reduce((m, x) => Math.max(m, x.risk.score), entry.risk_score),
            breached: entry.status === 'BREACHED' || g.firing.some((x) => x.risk.level === 'BREACHED'),
          }
        : await tally(trx, orgId, g.service, g.environment);
    const status: WatchStatus = t.count === 0 ? 'CLEARED' : t.breached ? 'BREACHED' : 'AT_RISK';
    if (!entry && status === 'CLEARED') continue; // a resolution for something never on the watchlist

    // Details follow the worst alert of this request, when it is at least as bad as the entry's.
    const lead = g.firing.reduce<WatchItem | undefined>(
      (best, x) => (!best || x.risk.score >= best.risk.score ? x : best),
      undefined,
    );
    const details =
      lead && (!live || lead.risk.score >= entry.risk_score)
        ? {
            source: lead.signal.source,
            title: lead.signal.title,
            logs: JSON.stringify(lead.risk.logs),
            correlation_key: lead.signal.correlationKey ?? null,
          }
        : {};
    const incidentId = [...g.items].reverse().find((x) => x.incidentId)?.incidentId ?? entry?.incident_id ?? null;
    const score = status === 'CLEARED' ? 0 : t.score;
    const base: WatchlistRow = entry ?? {
      org_id: orgId,
      service: g.service,
      environment: g.environment,
      status,
      risk_score: score,
      source: lead!.signal.source,
      title: lead!.signal.title,
      logs: JSON.stringify(lead!.risk.logs),
      correlation_key: lead!.signal.correlationKey ?? null,
      incident_id: incidentId,
      firing_count: t.count,
      first_detected_at: at,
      last_updated_at: at,
      cleared_at: null,
      cleared_by: null,
    };
    upserts.push({
      ...base,
      status,
      risk_score: score,
      ...(entry ? details : {}),
      incident_id: incidentId,
      firing_count: t.count,
      last_updated_at: at,
      ...(status === 'CLEARED'
        ? live
          ? { cleared_at: at, cleared_by: actor }
          : {}
        : { cleared_at: null, cleared_by: null }),
      ...(entry && !live && status !== 'CLEARED' ? { first_detected_at: at } : {}),
    });
    if (status !== (entry?.status ?? 'CLEARED')) {
      history.push({
        org_id: orgId,
        service: g.service,
        environment: g.environment,
        status,
        risk_score: score,
        reason: status === 'CLEARED' ? 'resolved' : 'signal',
        actor,
        at,
      });
    }
  }
  const columns = [
    'status',
    'risk_score',
    'source',
    'title',
    'logs',
    'correlation_key',
    'incident_id',
    'firing_count',
    'first_detected_at',
    'last_updated_at',
    'cleared_at',
    'cleared_by',
  ] as const;
  for (const part of inChunks(upserts, 200)) {
    await insertOnce(trx, 'watchlist', part, (r) =>
      trx
        .insertInto('watchlist')
        .values(r as never)
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'service', 'environment'])
            .doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]))),
        ),
    );
  }
  for (const part of inChunks(history)) {
    await insertOnce(trx, 'watchlist_history', part, (r) => trx.insertInto('watchlist_history').values(r as never));
  }
}

type WatchlistRow = Selectable<WatchlistTable>;
type FiringSignalRow = ReturnType<typeof firingRow>;

const firingRow = (orgId: string, g: Group, x: WatchItem, at: string) => ({
  org_id: orgId,
  source: x.signal.source,
  fingerprint: x.signal.fingerprint,
  service: g.service,
  environment: g.environment,
  level: x.risk.level,
  score: x.risk.score,
  incident_id: x.incidentId,
  updated_at: at,
});
