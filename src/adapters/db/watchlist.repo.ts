import { sql } from 'kysely';
import { OPEN_STATUSES } from '../../incidents/incident.types';
import type { LinkedIncident, WatchEntry, WatchLogLine, WatchStatus } from '../../watchlist/digest.types';
import type { DB } from './schema';

/** The watchlist as the digest, App Home and the buttons read it, and clearing an entry by hand. */

const ACTIVE: WatchStatus[] = ['BREACHED', 'AT_RISK'];

function parseLogs(json: string): WatchLogLine[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((l): l is WatchLogLine => !!l && typeof l.message === 'string').slice(0, 5) : [];
  } catch {
    return [];
  }
}

/** The top `limit` active entries (breached first, riskiest first) and the totals of the whole list. */
export async function loadWatchlist(
  db: DB,
  orgId: string,
  limit: number,
): Promise<{ entries: WatchEntry[]; totals: { breached: number; atRisk: number } }> {
  const counts = await db
    .selectFrom('watchlist')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('status', 'in', ACTIVE)
    .groupBy('status')
    .execute();
  const totals = { breached: 0, atRisk: 0 };
  for (const c of counts) totals[c.status === 'BREACHED' ? 'breached' : 'atRisk'] = Number(c.n);
  const rows = await db
    .selectFrom('watchlist as w')
    .leftJoin('incidents as i', (j) => j.onRef('i.id', '=', 'w.incident_id').onRef('i.org_id', '=', 'w.org_id'))
    .select([
      'w.service',
      'w.environment',
      'w.status',
      'w.risk_score',
      'w.source',
      'w.title',
      'w.logs',
      'w.first_detected_at',
      'w.last_updated_at',
      'i.id as inc_id',
      'i.number as inc_number',
      'i.status as inc_status',
      'i.channel_id as inc_channel',
    ])
    .where('w.org_id', '=', orgId)
    .where('w.status', 'in', ACTIVE)
    // The digest and App Home are seen by everyone: a private incident's entry is counted in the totals only.
    .where((eb) => eb.or([eb('i.id', 'is', null), eb('i.visibility', '=', 'public')]))
    .orderBy(sql`case when w.status = 'BREACHED' then 0 else 1 end`)
    .orderBy('w.risk_score', 'desc')
    .orderBy('w.first_detected_at')
    .orderBy('w.service')
    .orderBy('w.environment')
    .limit(limit)
    .execute();
  // Unlinked entries show an open incident on the same service (one declared from the digest, say).
  const unlinked = [...new Set(rows.filter((r) => !r.inc_id).map((r) => r.service))];
  const open = unlinked.length
    ? await db
        .selectFrom('incidents')
        .select(['id', 'number', 'status', 'channel_id', 'service', 'environment'])
        .where('org_id', '=', orgId)
        .where('service', 'in', unlinked)
        .where('status', 'in', OPEN_STATUSES)
        .where('visibility', '=', 'public')
        .orderBy('number', 'desc')
        .execute()
    : [];
  const entries = rows.map((r): WatchEntry => {
    let incident: LinkedIncident | undefined;
    if (r.inc_id)
      incident = { id: r.inc_id, number: r.inc_number!, status: r.inc_status!, channelId: r.inc_channel ?? undefined };
    else {
      const o = open.find(
        (x) => x.service === r.service && (x.environment === r.environment || x.environment === null),
      );
      if (o) incident = { id: o.id, number: o.number, status: o.status, channelId: o.channel_id ?? undefined };
    }
    return {
      service: r.service,
      environment: r.environment,
      status: r.status as WatchStatus,
      riskScore: Number(r.risk_score),
      source: r.source,
      title: r.title,
      logs: parseLogs(r.logs),
      firstDetectedAt: r.first_detected_at,
      lastUpdatedAt: r.last_updated_at,
      incident,
    };
  });
  return { entries, totals };
}

export async function findWatchEntry(db: DB, orgId: string, service: string, environment: string) {
  return db
    .selectFrom('watchlist')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('service', '=', service)
    .where('environment', '=', environment)
    .executeTakeFirst();
}

/** Take an entry off the watchlist by hand; the history keeps who and when. */
export async function clearWatchEntry(
  db: DB,
  c: { orgId: string; service: string; environment: string; actor: string; now: Date },
): Promise<'cleared' | 'not_found' | 'already_clear'> {
  const at = c.now.toISOString();
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('watchlist')
      .set({ status: 'CLEARED', cleared_at: at, cleared_by: c.actor, last_updated_at: at })
      .where('org_id', '=', c.orgId)
      .where('service', '=', c.service)
      .where('environment', '=', c.environment)
      .where('status', 'in', ACTIVE)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      const row = await trx
        .selectFrom('watchlist')
        .select('status')
        .where('org_id', '=', c.orgId)
        .where('service', '=', c.service)
        .where('environment', '=', c.environment)
        .executeTakeFirst();
      return row ? 'already_clear' : 'not_found';
    }
    const row = await trx
      .selectFrom('watchlist')
      .select('risk_score')
      .where('org_id', '=', c.orgId)
      .where('service', '=', c.service)
      .where('environment', '=', c.environment)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('watchlist_history')
      .values({
        org_id: c.orgId,
        service: c.service,
        environment: c.environment,
        status: 'CLEARED',
        risk_score: row.risk_score,
        reason: 'cleared_by_user',
        actor: c.actor,
        at,
      })
      .execute();
    return 'cleared';
  });
}
