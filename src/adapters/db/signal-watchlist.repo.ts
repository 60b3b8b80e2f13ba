import type { RiskResult, Signal } from '../../signals/signal.types';
import type { Trx } from './schema';

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

const CHUNK = 100;
const groupKey = (s: Signal) => `${s.serviceName}\u0000${s.environment}`;
const alertKey = (s: Signal) => `${s.source}\u0000${s.fingerprint}`;

interface Tally {
  count: number;
  score: number;
  breached: boolean;
}

async function tally(trx: Trx, orgId: string, service: string, environment: string): Promise<Tally> {
  const row = await trx
    .selectFrom('firing_signals')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('score').as('score'), eb.fn.max('level').as('worst')])
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .where('environment', '=', environment)
    .executeTakeFirst();
  // Levels are AT_RISK or BREACHED, and 'BREACHED' > 'AT_RISK' as text.
  return { count: Number(row?.n ?? 0), score: Number(row?.score ?? 0), breached: row?.worst === 'BREACHED' };
}

/** Apply one request's signals (in arrival order) to `firing_signals` and the watchlist, inside the ingest transaction. */
export async function applyToWatchlist(trx: Trx, orgId: string, items: readonly WatchItem[], now: Date, actor: string): Promise<void> {
  const groups = new Map<string, WatchItem[]>();
  for (const it of items) groups.set(groupKey(it.signal), [...(groups.get(groupKey(it.signal)) ?? []), it]);
  const at = now.toISOString();

  for (const group of groups.values()) {
    const { serviceName: service, environment } = group[0].signal;
    // The last word on each alert in this request wins (a request may carry firing then resolved).
    const final = new Map<string, WatchItem>();
    for (const it of group) final.set(alertKey(it.signal), it);
    const finals = [...final.values()];

    const known = new Map<string, number>();
    for (let i = 0; i < finals.length; i += CHUNK) {
      const part = finals.slice(i, i + CHUNK);
      const rows = await trx
        .selectFrom('firing_signals')
        .select(['source', 'fingerprint', 'score'])
        .where('org_id', '=', orgId)
        .where('source', 'in', [...new Set(part.map((x) => x.signal.source))])
        .where('fingerprint', 'in', [...new Set(part.map((x) => x.signal.fingerprint))])
        .execute();
      for (const r of rows) known.set(`${r.source}\u0000${r.fingerprint}`, Number(r.score));
    }

    const firing = finals.filter((x) => x.signal.status === 'firing');
    const resolved = finals.filter((x) => x.signal.status === 'resolved' && known.has(alertKey(x.signal)));
    for (let i = 0; i < firing.length; i += CHUNK) {
      const rows = firing.slice(i, i + CHUNK).map((x) => ({
        org_id: orgId,
        source: x.signal.source,
        fingerprint: x.signal.fingerprint,
        service,
        environment,
        level: x.risk.level,
        score: x.risk.score,
        incident_id: x.incidentId,
        updated_at: at,
      }));
      await trx
        .insertInto('firing_signals')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['org_id', 'source', 'fingerprint']).doUpdateSet((eb) => ({
            service: eb.ref('excluded.service'),
            environment: eb.ref('excluded.environment'),
            level: eb.ref('excluded.level'),
            score: eb.ref('excluded.score'),
            incident_id: eb.fn.coalesce('excluded.incident_id', 'firing_signals.incident_id'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    for (const x of resolved) {
      await trx.deleteFrom('firing_signals').where('org_id', '=', orgId).where('source', '=', x.signal.source).where('fingerprint', '=', x.signal.fingerprint).execute();
    }

    const entry = await trx.selectFrom('watchlist').selectAll().where('org_id', '=', orgId).where('service', '=', service).where('environment', '=', environment).executeTakeFirst();
    const live = entry && entry.status !== 'CLEARED';
    const added = firing.filter((x) => !known.has(alertKey(x.signal)));
    const lowered = firing.some((x) => (known.get(alertKey(x.signal)) ?? -1) > x.risk.score);
    // Only new alerts and no lowered/removed ones (a storm): the tally follows from the entry without a scan.
    const t: Tally =
      live && resolved.length === 0 && !lowered
        ? {
            count: entry.firing_count + added.length,
            score: Math.max(entry.risk_score, ...firing.map((x) => x.risk.score)),
            breached: entry.status === 'BREACHED' || firing.some((x) => x.risk.level === 'BREACHED'),
          }
        : await tally(trx, orgId, service, environment);
    const status: WatchStatus = t.count === 0 ? 'CLEARED' : t.breached ? 'BREACHED' : 'AT_RISK';
    if (!entry && status === 'CLEARED') continue; // a resolution for something never on the watchlist

    // Details follow the worst alert of this request, when it is at least as bad as the entry's.
    const lead = firing.reduce<WatchItem | undefined>((best, x) => (!best || x.risk.score >= best.risk.score ? x : best), undefined);
    const details = lead && (!live || lead.risk.score >= entry.risk_score)
      ? { source: lead.signal.source, title: lead.signal.title, logs: JSON.stringify(lead.risk.logs), correlation_key: lead.signal.correlationKey ?? null }
      : {};
    const incidentId = [...group].reverse().find((x) => x.incidentId)?.incidentId ?? entry?.incident_id ?? null;
    const score = status === 'CLEARED' ? 0 : t.score;

    if (!entry) {
      await trx
        .insertInto('watchlist')
        .values({
          org_id: orgId,
          service,
          environment,
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
        })
        .execute();
    } else {
      await trx
        .updateTable('watchlist')
        .set({
          status,
          risk_score: score,
          ...details,
          incident_id: incidentId,
          firing_count: t.count,
          last_updated_at: at,
          ...(status === 'CLEARED' ? (live ? { cleared_at: at, cleared_by: actor } : {}) : { cleared_at: null, cleared_by: null }),
          ...(!live && status !== 'CLEARED' ? { first_detected_at: at } : {}),
        })
        .where('org_id', '=', orgId)
        .where('service', '=', service)
        .where('environment', '=', environment)
        .execute();
    }
    if (status !== (entry?.status ?? 'CLEARED')) {
      await trx
        .insertInto('watchlist_history')
        .values({ org_id: orgId, service, environment, status, risk_score: score, reason: status === 'CLEARED' ? 'resolved' : 'signal', actor, at })
        .execute();
    }
  }
}
