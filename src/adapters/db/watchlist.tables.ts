import type { Generated } from 'kysely';

export interface WatchlistTable {
  org_id: string;
  service: string;
  environment: string;
  status: string;
  risk_score: number;
  source: string;
  title: string;
  logs: string;
  correlation_key: string | null;
  incident_id: string | null;
  firing_count: number;
  first_detected_at: string;
  last_updated_at: string;
  cleared_at: string | null;
  cleared_by: string | null;
}

export interface WatchlistHistoryTable {
  id: Generated<number>;
  org_id: string;
  service: string;
  environment: string;
  status: string;
  risk_score: number;
  reason: string;
  actor: string;
  at: string;
}

export interface WatchlistTables {
  watchlist: WatchlistTable;
  watchlist_history: WatchlistHistoryTable;
}
