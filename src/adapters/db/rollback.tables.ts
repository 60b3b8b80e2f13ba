/** One row per rollback asked for from an incident; its status follows the incident's ROLLBACK_* events. */
export interface RollbacksTable {
  id: string;
  org_id: string;
  incident_id: string;
  service: string;
  environment: string;
  from_version: string;
  to_version: string;
  target_kind: string;
  /** JSON of the RollbackTarget. */
  target: string;
  status: string;
  requested_by: string;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  reason: string | null;
}

/** Who did what to which environment (rollbacks today), append-only. */
export interface DeploymentAuditTable {
  id: string;
  org_id: string;
  at: string;
  actor: string;
  action: string;
  service: string;
  environment: string;
  from_version: string | null;
  to_version: string | null;
  incident_id: string | null;
  rollback_id: string | null;
  detail: string | null;
}

export interface RollbackTables {
  rollbacks: RollbacksTable;
  deployment_audit: DeploymentAuditTable;
}
