import { sql } from 'kysely';
import type { PastAction, RelatedIncident } from '../../guidance/guidance.types';
import type { IncidentState } from '../../incidents/incident.types';
import { type RelatedCandidate, rankRelated, relatedTerms, searchTerms, termWeights } from '../../guidance/related.scoring';
import { termStats } from './search-rarity.repo';
import { dialectOf } from './create-db';
import { getLatestPostmortem } from './postmortem.repo';
import { type Viewer, visibleRawSql, visibleToSql } from './privacy.repo';
import type { DB } from './schema';

// A search document is a digest, not an archive: cap it well under Postgres' 1 MB tsvector limit.
const MAX_BODY_CHARS = 200_000;
const MAX_TIMELINE_ROWS = 1000;
const MAX_SIGNAL_TITLES = 100;
const SERVICE_CANDIDATES = 20;
const SIGNAL_CANDIDATES = 200;

/** FTS5 query: every term quoted (so user text can never be FTS syntax), any term may match. */
export function toFts5Query(text: string): string | undefined {
  const terms = searchTerms(text);
  return terms.length ? terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ') : undefined;
}

/** `websearch_to_tsquery` input: bare words joined by `or` (it never raises on odd input, this just keeps OR semantics). */
export function toWebsearchQuery(text: string): string | undefined {
  const terms = searchTerms(text);
  return terms.length ? terms.join(' or ') : undefined;
}

/** Latest postmortem draft of an incident (the postmortems feature keeps every version). */
const postmortemText = async (db: DB, orgId: string, incidentId: string) => (await getLatestPostmortem(db, orgId, incidentId))?.markdown;

async function removeFromIndex(db: DB, orgId: string, incidentId: string): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`delete from incident_search where org_id = ${orgId} and incident_id = ${incidentId}`.execute(db);
  else await sql`delete from incident_search_fts where org_id = ${orgId} and incident_id = ${incidentId}`.execute(db);
}

/** What the index holds for one incident: its title (weighted) and a body digest. */
export interface SearchDocument {
  title: string;
  body: string;
}

/**
 * One incident's search document from the read models: title, service, environment, description, last
 * update, signal titles, actions, timeline and the latest postmortem; undefined for an unknown incident.
 */
export async function searchDocumentOf(db: DB, orgId: string, incidentId: string): Promise<SearchDocument | undefined> {
  const inc = await db.selectFrom('incidents').selectAll().where('org_id', '=', orgId).where('id', '=', incidentId).executeTakeFirst();
  if (!inc) return undefined;
  // Sequential on purpose: this may run inside the caller's transaction (one connection).
  const timeline = await db.selectFrom('incident_timeline').select('text').where('org_id', '=', orgId).where('incident_id', '=', incidentId).where('deleted_at', 'is', null).orderBy('seq').limit(MAX_TIMELINE_ROWS).execute();
  const actions = await db.selectFrom('incident_actions').select('text').where('org_id', '=', orgId).where('incident_id', '=', incidentId).execute();
  // Each title once, and a sample: a storm's 30,000 alerts with a title per instance made a 200 KB document that
  // SQLite read (40 ms), FTS5 re-tokenised to delete (60 ms) and tokenised again (60 ms) at every re-index, all on
  // the event loop. LIMIT without ORDER BY lets SQLite stop scanning at the hundredth distinct title.
  const signals = await db.selectFrom('incident_signals').select('title').distinct().where('org_id', '=', orgId).where('incident_id', '=', incidentId).limit(MAX_SIGNAL_TITLES).execute();
  const postmortem = await postmortemText(db, orgId, incidentId);
  const body = [
    inc.service,
    inc.environment,
    inc.description,
    inc.last_update_text,
    ...signals.map((s) => s.title),
    ...actions.map((a) => a.text),
    ...timeline.map((t) => t.text),
    postmortem,
  ]
    .filter((s): s is string => !!s)
    .join('\n')
    .slice(0, MAX_BODY_CHARS);
  return { title: inc.title, body };
}

/** Replace one incident's entry in the index (undefined: remove it). */
export async function writeSearchDocument(db: DB, orgId: string, incidentId: string, doc: SearchDocument | undefined): Promise<void> {
  if (!doc) return removeFromIndex(db, orgId, incidentId);
  if (dialectOf(db) === 'postgres') {
    await sql`insert into incident_search (org_id, incident_id, document, indexed_at)
      values (${orgId}, ${incidentId},
        setweight(to_tsvector('english', ${doc.title}), 'A') || setweight(to_tsvector('english', ${doc.body}), 'B'),
        ${new Date().toISOString()})
      on conflict (org_id, incident_id) do update set document = excluded.document, indexed_at = excluded.indexed_at`.execute(db);
  } else {
    await removeFromIndex(db, orgId, incidentId);
    await sql`insert into incident_search_fts (org_id, incident_id, title, body) values (${orgId}, ${incidentId}, ${doc.title}, ${doc.body})`.execute(db);
  }
}

/**
 * (Re)build one incident's search document and write it. Idempotent; call it after the projection commits.
 * An unknown incident is removed from the index (false).
 */
export async function indexIncident(db: DB, orgId: string, incidentId: string): Promise<boolean> {
  const doc = await searchDocumentOf(db, orgId, incidentId);
  await writeSearchDocument(db, orgId, incidentId, doc);
  return !!doc;
}

/** Re-index every incident (after `projections rebuild`, or once after upgrading). Returns how many. */
export async function reindexAllIncidents(db: DB, orgId?: string): Promise<number> {
  let q = db.selectFrom('incidents').select(['org_id', 'id']);
  if (orgId) q = q.where('org_id', '=', orgId);
  const rows = await q.execute();
  for (const r of rows) await indexIncident(db, r.org_id, r.id);
  return rows.length;
}

export interface SearchRelatedInput {
  orgId: string;
  text: string;
  service?: string;
  environment?: string;
  excludeIncidentId?: string;
  /** Alert fingerprints of the current incident: a past incident with the same alert is related. */
  fingerprints?: string[];
  correlationKeys?: string[];
  limit: number;
  now: Date | string;
  /**
   * Who will see the results. Left out: public incidents only (related incidents, guidance and model prompts
   * are shown to a channel). A person's own search passes them: their private incidents are found too.
   */
  viewer?: Viewer | 'public';
  /**
   * 'related' (default): what another incident must share to be related: boilerplate words dropped, terms
   * weighed by rarity across the org, a minimum score (related.scoring.ts). 'search': a person's own query.
   */
  purpose?: 'related' | 'search';
  /** Catalog services connected to `service` ("checkout depends on payments"): their incidents count as related. */
  neighbours?: ReadonlyArray<{ service: string; reason: string }>;
}

/** Full-text hits in this org, with relevance relative to the best hit (0–1]. */
async function textHits(
  db: DB,
  orgId: string,
  text: string,
  max: number,
  viewer: Viewer | 'public',
): Promise<Map<string, number>> {
  // Filtered inside the ranking query: a private incident neither matches nor shifts the others' relevance.
  const visible = visibleRawSql(viewer, 'i');
  const hits = new Map<string, number>();
  let rows: { incident_id: string; score: number }[];
  if (dialectOf(db) === 'postgres') {
    const q = toWebsearchQuery(text);
    if (!q) return hits;
    rows = (
      await sql<{ incident_id: string; score: number }>`select s.incident_id, ts_rank(s.document, q) as score
        from incident_search s join incidents i on i.id = s.incident_id, websearch_to_tsquery('english', ${q}) q
        where s.org_id = ${orgId} and s.document @@ q and ${visible} order by score desc limit ${max}`.execute(db)
    ).rows;
  } else {
    const q = toFts5Query(text);
    if (!q) return hits;
    // bm25 is "lower is better"; negate it. Title matches weigh four times body matches. (Not aliased
    // `rank`: that is an FTS5 hidden column.)
    rows = (
      await sql<{ incident_id: string; score: number }>`select f.incident_id, -bm25(incident_search_fts, 0.0, 0.0, 4.0, 1.0) as score
        from incident_search_fts f join incidents i on i.id = f.incident_id
        where incident_search_fts match ${q} and f.org_id = ${orgId} and ${visible}
        order by score desc limit ${max}`.execute(db)
    ).rows;
  }
  const best = Math.max(0, ...rows.map((r) => Number(r.score)));
  for (const r of rows) hits.set(r.incident_id, best > 0 ? Number(r.score) / best : 1);
  return hits;
}

/**
 * Past incidents of the same org related to the given text, service and signals, best first.
 * Every query is scoped by `org_id`: another workspace's incidents can never appear.
 */
export async function searchRelated(db: DB, input: SearchRelatedInput): Promise<RelatedIncident[]> {
  const { orgId } = input;
  const limit = Math.max(0, Math.min(input.limit, 50));
  if (limit === 0) return [];
  const fps = [...new Set(input.fingerprints ?? [])].filter(Boolean).slice(0, 100);
  const keys = [...new Set(input.correlationKeys ?? [])].filter(Boolean).slice(0, 100);

  const viewer = input.viewer ?? 'public';
  const related = input.purpose !== 'search';
  const terms = related ? relatedTerms(input.text) : searchTerms(input.text);
  const text = await textHits(db, orgId, related ? terms.join(' ') : input.text, Math.max(limit * 5, 50), viewer);
  const shared = new Map<string, { fps: Set<string>; keys: Set<string> }>();
  if (fps.length || keys.length) {
    const rows = await db
      .selectFrom('incident_signals')
      .select(['incident_id', 'fingerprint', 'correlation_key'])
      .where('org_id', '=', orgId)
      .where((eb) => {
        const ors = [];
        if (fps.length) ors.push(eb('fingerprint', 'in', fps));
        if (keys.length) ors.push(eb('correlation_key', 'in', keys));
        return eb.or(ors);
      })
      .limit(SIGNAL_CANDIDATES)
      .execute();
    for (const r of rows) {
      const s = shared.get(r.incident_id) ?? { fps: new Set<string>(), keys: new Set<string>() };
      if (fps.includes(r.fingerprint)) s.fps.add(r.fingerprint);
      if (r.correlation_key && keys.includes(r.correlation_key)) s.keys.add(r.correlation_key);
      shared.set(r.incident_id, s);
    }
  }
  const sameService = input.service
    ? await db.selectFrom('incidents').select('id').where('org_id', '=', orgId).where('service', '=', input.service).where(visibleToSql(viewer)).orderBy('created_at', 'desc').limit(SERVICE_CANDIDATES).execute()
    : [];

  const neighbours = related ? (input.neighbours ?? []).slice(0, 50) : [];
  const nearby = neighbours.length
    ? await db.selectFrom('incidents').select('id').where('org_id', '=', orgId).where('service', 'in', neighbours.map((n) => n.service)).where(visibleToSql(viewer)).orderBy('created_at', 'desc').limit(SERVICE_CANDIDATES).execute()
    : [];

  const ids = new Set([...text.keys(), ...shared.keys(), ...sameService.map((r) => r.id), ...nearby.map((r) => r.id)]);
  if (input.excludeIncidentId) ids.delete(input.excludeIncidentId);
  if (ids.size === 0) return [];
  const incidents = await db
    .selectFrom('incidents')
    .select(['id', 'number', 'title', 'status', 'service', 'environment', 'channel_id', 'created_at'])
    .where('org_id', '=', orgId)
    .where('id', 'in', [...ids])
    .where(visibleToSql(viewer))
    .execute();

  const rarity = related ? await termStats(db, orgId, terms, incidents.map((i) => i.id), viewer) : undefined;
  const candidates: RelatedCandidate[] = incidents.map((i) => ({
    incidentId: i.id,
    number: Number(i.number),
    title: i.title,
    status: i.status,
    service: i.service,
    environment: i.environment,
    channelId: i.channel_id,
    createdAt: i.created_at,
    textScore: text.get(i.id) ?? 0,
    sharedFingerprints: shared.get(i.id)?.fps.size ?? 0,
    sharedCorrelationKeys: [...(shared.get(i.id)?.keys ?? [])],
    ...(rarity ? { matchedTerms: rarity.matched.get(i.id) ?? [] } : {}),
  }));
  const query = { terms, service: input.service, environment: input.environment, now: input.now };
  const weights = rarity ? { termWeights: termWeights(rarity.total, rarity.df, terms), neighbours } : {};
  return rankRelated(candidates, { ...query, ...weights }, limit);
}

/** Past incidents related to this one: its text, service, environment and alerts; itself excluded. */
export function searchRelatedTo(
  db: DB,
  state: IncidentState,
  opts: { text: string; limit: number; now: Date | string; neighbours?: SearchRelatedInput['neighbours'] },
): Promise<RelatedIncident[]> {
  return searchRelated(db, {
    orgId: state.orgId,
    text: opts.text,
    service: state.service,
    environment: state.environment,
    excludeIncidentId: state.id,
    fingerprints: state.signals.map((s) => s.fingerprint),
    correlationKeys: state.signals.map((s) => s.correlationKey).filter((k): k is string => !!k),
    limit: opts.limit,
    now: opts.now,
    neighbours: opts.neighbours,
  });
}

/** Actions recorded in the given past incidents (done ones first), for deterministic guidance. */
export async function pastActionsOf(db: DB, orgId: string, related: Pick<RelatedIncident, 'incidentId' | 'number'>[], perIncident = 5): Promise<PastAction[]> {
  if (related.length === 0) return [];
  const numbers = new Map(related.map((r) => [r.incidentId, r.number]));
  const rows = await db
    .selectFrom('incident_actions')
    .select(['incident_id', 'text', 'done', 'created_at'])
    .where('org_id', '=', orgId)
    .where('incident_id', 'in', [...numbers.keys()])
    .orderBy('created_at')
    .execute();
  const out: PastAction[] = [];
  for (const r of related) {
    const mine = rows.filter((a) => a.incident_id === r.incidentId).sort((a, b) => Number(b.done) - Number(a.done));
    for (const a of mine.slice(0, perIncident)) out.push({ incidentNumber: r.number, text: a.text, done: Number(a.done) === 1 });
  }
  return out;
}
