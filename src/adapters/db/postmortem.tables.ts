/** Postmortem drafts, one row per version, and the pull request each incident's postmortem lives in. */
export interface PostmortemsTable {
  org_id: string;
  incident_id: string;
  version: number;
  markdown: string;
  generator: string;
  model: string | null;
  tokens: number | null;
  created_by: string;
  created_at: string;
}

export interface PostmortemPrsTable {
  org_id: string;
  incident_id: string;
  number: number;
  url: string;
  branch: string;
  path: string;
  /** Blob sha of the file as we last wrote it. */
  content_sha: string | null;
  updated_at: string;
}

export interface PostmortemTables {
  postmortems: PostmortemsTable;
  postmortem_prs: PostmortemPrsTable;
}
