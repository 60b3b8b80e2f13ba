export interface SloEvaluationsTable {
  org_id: string;
  slo: string;
  at: string;
  service: string;
  status: string;
  alert: string;
  target: number;
  window_label: string;
  sli: number | null;
  budget_remaining: number | null;
  burn_rates: string | null;
  reason: string | null;
  problem: string | null;
}

export interface SloAlertsTable {
  org_id: string;
  slo: string;
  level: string;
  since: string;
}

/** The SLOViolation read model: one row per incident and SLO page signal. */
export interface SloViolationsTable {
  org_id: string;
  incident_id: string;
  fingerprint: string;
  slo: string;
  service: string;
  started_at: string;
  ended_at: string | null;
}

export interface HeartbeatsTable {
  connector_id: string;
  org_id: string;
  name: string;
  interval_ms: number;
  grace_ms: number;
  created_at: string;
  last_ping_at: string | null;
  missed_since: string | null;
}

export interface SloTables {
  slo_evaluations: SloEvaluationsTable;
  slo_alerts: SloAlertsTable;
  slo_violations: SloViolationsTable;
  heartbeats: HeartbeatsTable;
}
