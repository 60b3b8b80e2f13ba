export interface ConnectorsTable {
  id: string;
  org_id: string;
  kind: string;
  name: string;
  /** sha256 hex of the token; the token is shown once and never stored. */
  token_hash: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  request_key: string | null;
}

/** One row per delivery of one alert state (see `dedupKey`): a repeat finds its receipt and adds nothing. */
export interface SignalReceiptsTable {
  org_id: string;
  dedup_key: string;
  connector_id: string;
  incident_id: string | null;
  received_at: string;
}

/** Alerts firing now, per org and sender fingerprint; a watchlist entry is the worst of its service's rows. */
export interface FiringSignalsTable {
  org_id: string;
  source: string;
  fingerprint: string;
  service: string;
  environment: string;
  level: string;
  score: number;
  incident_id: string | null;
  updated_at: string;
}

export interface ConnectorTables {
  connectors: ConnectorsTable;
  signal_receipts: SignalReceiptsTable;
  firing_signals: FiringSignalsTable;
}
