import { isUniqueViolation } from './create-db';
import type { PostmortemsTable } from './postmortem.tables';
import type { DB, Trx } from './schema';

export type PostmortemGenerator = 'llm' | 'deterministic';

export interface StoredPostmortem {
  orgId: string;
  incidentId: string;
  version: number;
  markdown: string;
  generator: PostmortemGenerator;
  model?: string;
  tokens?: number;
  createdBy: string;
  createdAt: string;
}

/** A draft to store: its version is the next one, picked when it is inserted. */
export type NewPostmortemDraft = Omit<StoredPostmortem, 'version'>;

export interface StoredPostmortemPr {
  orgId: string;
  incidentId: string;
  number: number;
  url: string;
  branch: string;
  path: string;
  contentSha?: string;
  updatedAt: string;
}

type Db = DB | Trx;

type PostmortemRow = PostmortemsTable;

const toDraft = (r: PostmortemRow): StoredPostmortem => ({
  orgId: r.org_id,
  incidentId: r.incident_id,
  version: Number(r.version),
  markdown: r.markdown,
  generator: r.generator === 'llm' ? 'llm' : 'deterministic',
  model: r.model ?? undefined,
  tokens: r.tokens ?? undefined,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const toRow = (d: NewPostmortemDraft, version: number): PostmortemRow => ({
  org_id: d.orgId,
  incident_id: d.incidentId,
  version,
  markdown: d.markdown,
  generator: d.generator,
  model: d.model ?? null,
  tokens: d.tokens ?? null,
  created_by: d.createdBy,
  created_at: d.createdAt,
});

/**
 * Stores a draft as the incident's next version and returns it. Two concurrent presses race on
 * the primary key; the loser retries with the following number. Call it outside a Postgres
 * transaction (a failed insert aborts one) — it is a single statement anyway.
 */
export async function insertPostmortemDraft(db: Db, draft: NewPostmortemDraft): Promise<StoredPostmortem> {
  for (let attempt = 0; ; attempt++) {
    const row = await db
      .selectFrom('postmortems')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('incident_id', '=', draft.incidentId)
      .executeTakeFirst();
    const version = Number(row?.max ?? 0) + 1;
    try {
      await db.insertInto('postmortems').values(toRow(draft, version)).execute();
      return { ...draft, version };
    } catch (e) {
      if (!isUniqueViolation(e) || attempt >= 4) throw e;
    }
  }
}

/** One incident's drafts, org-scoped. */
const draftsOf = (db: Db, orgId: string, incidentId: string) =>
  db.selectFrom('postmortems').where('org_id', '=', orgId).where('incident_id', '=', incidentId);

export async function getLatestPostmortem(db: Db, orgId: string, incidentId: string): Promise<StoredPostmortem | undefined> {
  const row = await draftsOf(db, orgId, incidentId).selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? toDraft(row) : undefined;
}

export async function getPostmortem(db: Db, orgId: string, incidentId: string, version: number): Promise<StoredPostmortem | undefined> {
  const row = await draftsOf(db, orgId, incidentId).selectAll().where('version', '=', version).executeTakeFirst();
  return row ? toDraft(row) : undefined;
}

/** Versions newest first, without the text (for a history list). */
export async function listPostmortemVersions(db: Db, orgId: string, incidentId: string): Promise<Array<Omit<StoredPostmortem, 'markdown'>>> {
  const rows = await draftsOf(db, orgId, incidentId)
    .select(['org_id', 'incident_id', 'version', 'generator', 'model', 'tokens', 'created_by', 'created_at'])
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => {
    const { markdown: _, ...rest } = toDraft({ ...r, markdown: '' });
    return rest;
  });
}

/** Records (or refreshes) the incident's PR after `openPostmortemPr`. */
export async function savePostmortemPr(db: Db, pr: StoredPostmortemPr): Promise<void> {
  const values = {
    org_id: pr.orgId,
    incident_id: pr.incidentId,
    number: pr.number,
    url: pr.url,
    branch: pr.branch,
    path: pr.path,
    content_sha: pr.contentSha ?? null,
    updated_at: pr.updatedAt,
  };
  await db
    .insertInto('postmortem_prs')
    .values(values)
    .onConflict((oc) =>
      oc.column('incident_id').doUpdateSet({
        number: values.number,
        url: values.url,
        branch: values.branch,
        path: values.path,
        content_sha: values.content_sha,
        updated_at: values.updated_at,
      }),
    )
    .execute();
}

export async function getPostmortemPr(db: Db, orgId: string, incidentId: string): Promise<StoredPostmortemPr | undefined> {
  const r = await db.selectFrom('postmortem_prs').selectAll().where('org_id', '=', orgId).where('incident_id', '=', incidentId).executeTakeFirst();
  if (!r) return undefined;
  return {
    orgId: r.org_id,
    incidentId: r.incident_id,
    number: Number(r.number),
    url: r.url,
    branch: r.branch,
    path: r.path,
    contentSha: r.content_sha ?? undefined,
    updatedAt: r.updated_at,
  };
}
