import type { ColumnType } from 'kysely';

/** Members of private incidents (declarer, role holders, invited and approved people), projected from events. */
export interface IncidentMembersTable {
  org_id: string;
  incident_id: string;
  user_id: string;
}

/**
 * Columns private incidents add to other features' tables (intersected with theirs through `Database`):
 * `incidents.visibility` ('public' | 'private'), `connectors.private_only`, `webhook_subscriptions.include_private`.
 */
export interface PrivacyTables {
  incident_members: IncidentMembersTable;
  /** Not in `IncidentRow` (kept optional there for existing row literals); selected where visibility matters. */
  incidents: { visibility: ColumnType<string, string | undefined, string> };
  connectors: { private_only: ColumnType<number, number | undefined, number> };
  webhook_subscriptions: { include_private: ColumnType<number, number | undefined, number> };
}
