import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/**
 * Table types. Timestamps are ISO-8601 UTC strings (`2026-11-21T23:34:59.000Z`): they sort as text
 * and read the same on SQLite and Postgres. JSON columns are text, parsed at the edge.
 */
export interface IncidentEventsTable {
  position: Generated<number>;
  org_id: string;
  incident_id: string;
  seq: number;
  type: string;
  payload: string;
  actor: string;
  occurred_at: string;
  idempotency_key: string | null;
}

export interface IncidentsTable {
  id: string;
  org_id: string;
  number: number;
  title: string;
  description: string | null;
  status: string;
  severity: string;
  service: string | null;
  environment: string | null;
  source: string;
  channel_id: string | null;
  channel_name: string | null;
  summary_ts: string | null;
  commander_id: string | null;
  comms_id: string | null;
  scribe_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  mitigated_at: string | null;
  resolved_at: string | null;
  cancelled_at: string | null;
  last_update_at: string | null;
  last_update_text: string | null;
  signal_count: number;
  open_signal_count: number;
  action_count: number;
  open_action_count: number;
  note_count: number;
  version: number;
  postmortem_version: number;
  postmortem_pr_url: string | null;
}

export interface IncidentTimelineTable {
  org_id: string;
  incident_id: string;
  seq: number;
  type: string;
  actor: string;
  occurred_at: string;
  text: string;
}

export interface IncidentActionsTable {
  org_id: string;
  incident_id: string;
  action_id: string;
  text: string;
  owner: string | null;
  done: number;
  created_at: string;
  completed_at: string | null;
  completed_by: string | null;
}

export interface IncidentSignalsTable {
  org_id: string;
  incident_id: string;
  fingerprint: string;
  service: string;
  environment: string;
  title: string;
  risk: string;
  status: string;
  source: string;
  correlation_key: string | null;
  trace_id: string | null;
  attached_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}

export interface AccessGrantsTable {
  org_id: string;
  user_id: string;
  role: string;
  granted_by: string;
  granted_at: string;
}

export interface OutboxTable {
  id: Generated<number>;
  org_id: string;
  incident_id: string | null;
  kind: string;
  payload: string;
  /** While pending, at most one row per dedupe key: later requests fold into it (summary edits). */
  dedupe_key: string | null;
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  result: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface CoreTables {
  incident_events: IncidentEventsTable;
  incidents: IncidentsTable;
  incident_timeline: IncidentTimelineTable;
  incident_actions: IncidentActionsTable;
  incident_signals: IncidentSignalsTable;
  access_grants: AccessGrantsTable;
  outbox: OutboxTable;
}

/**
 * Feature areas add their tables in their own `*.tables.ts` and are joined here, so parallel work
 * never edits one shared interface.
 */
import type { FeatureTables } from './feature-tables';
export type Database = CoreTables & FeatureTables;

export type DB = Kysely<Database>;
export type Trx = Transaction<Database>;
export type IncidentRow = Selectable<IncidentsTable>;
export type NewOutbox = Insertable<OutboxTable>;
