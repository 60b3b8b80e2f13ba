import type { ColumnType } from 'kysely';

/** A workspace's follow-up tracker settings (`/incident followups repo|auto`); absent = the env defaults. */
export interface FollowUpSettingsTable {
  org_id: string;
  repository: string | null;
  auto_export: ColumnType<number, number | undefined, number>;
  updated_by: string;
  updated_at: string;
}

/** Slack user → GitHub login (`/incident followups map @user login`): the issue's assignee. */
export interface FollowUpLoginsTable {
  org_id: string;
  user_id: string;
  login: string;
  updated_by: string;
  updated_at: string;
}

type Nullable = ColumnType<string | null, string | null | undefined, string | null>;

/** Columns follow-ups add to `incident_actions` (intersected through `Database`), projected from ACTION_EXPORTED. */
export interface FollowUpTables {
  followup_settings: FollowUpSettingsTable;
  followup_logins: FollowUpLoginsTable;
  incident_actions: { issue_key: Nullable; issue_url: Nullable };
}
