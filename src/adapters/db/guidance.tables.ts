/** Runbooks stored per workspace; they win over `RUNBOOKS_DIR/<service>.md`. */
export interface RunbooksTable {
  org_id: string;
  /** Lowercase service name. */
  service: string;
  markdown: string | null;
  url: string | null;
  updated_by: string;
  updated_at: string;
}

/**
 * The full-text index tables (`incident_search` on Postgres, `incident_search_fts` on SQLite) are
 * dialect-specific and only touched through raw SQL in `search.repo.ts`, so they are not typed here.
 */
export interface GuidanceTables {
  runbooks: RunbooksTable;
}
