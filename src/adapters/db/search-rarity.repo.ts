import { sql } from 'kysely';
import { dialectOf } from './create-db';
import { type Viewer, visibleRawSql } from './privacy.repo';
import type { DB } from './schema';

/*
 * How rare each query term is across an org's indexed incidents (document frequency), and which of the
 * candidate incidents contain it: the inputs of relatedness's IDF weighting (related.scoring.ts). One count
 * and one membership lookup per term, both answered by the full-text index (FTS5 / tsvector).
 */

export interface TermStats {
  /** Incidents in the org's search index (that this viewer may see). */
  total: number;
  df: Map<string, number>;
  /** incident id → the query terms its document contains. */
  matched: Map<string, string[]>;
}

const CHUNK = 400;

export async function termStats(
  db: DB,
  orgId: string,
  terms: readonly string[],
  candidateIds: readonly string[],
  viewer: Viewer | 'public',
): Promise<TermStats> {
  const visible = visibleRawSql(viewer, 'i');
  const pg = dialectOf(db) === 'postgres';
  const stats: TermStats = { total: 0, df: new Map(), matched: new Map() };
  if (terms.length === 0) return stats;
  const totalRow = pg
    ? await sql<{ n: number }>`select count(*) as n from incident_search s join incidents i on i.id = s.incident_id
        where s.org_id = ${orgId} and ${visible}`.execute(db)
    : await sql<{ n: number }>`select count(*) as n from incident_search_fts f join incidents i on i.id = f.incident_id
        where f.org_id = ${orgId} and ${visible}`.execute(db);
  stats.total = Number(totalRow.rows[0]?.n ?? 0);
  for (const term of terms) {
    // Every term quoted for FTS5 (never syntax); Postgres parses it as plain text.
    const fts = `"${term.replace(/"/g, '""')}"`;
    const dfRow = pg
      ? await sql<{ n: number }>`select count(*) as n from incident_search s join incidents i on i.id = s.incident_id
          where s.org_id = ${orgId} and s.document @@ plainto_tsquery('english', ${term}) and ${visible}`.execute(db)
      : await sql<{
          n: number;
        }>`select count(*) as n from incident_search_fts f join incidents i on i.id = f.incident_id
          where incident_search_fts match ${fts} and f.org_id = ${orgId} and ${visible}`.execute(db);
    const df = Number(dfRow.rows[0]?.n ?? 0);
    stats.df.set(term, df);
    if (df === 0) continue;
    for (let i = 0; i < candidateIds.length; i += CHUNK) {
      const ids = sql.join(candidateIds.slice(i, i + CHUNK).map((id) => sql`${id}`));
      const rows = pg
        ? await sql<{ incident_id: string }>`select s.incident_id from incident_search s
            where s.org_id = ${orgId} and s.incident_id in (${ids}) and s.document @@ plainto_tsquery('english', ${term})`.execute(
            db,
          )
        : await sql<{ incident_id: string }>`select f.incident_id from incident_search_fts f
            where incident_search_fts match ${fts} and f.org_id = ${orgId} and f.incident_id in (${ids})`.execute(db);
      for (const r of rows.rows) stats.matched.set(r.incident_id, [...(stats.matched.get(r.incident_id) ?? []), term]);
    }
  }
  return stats;
}
