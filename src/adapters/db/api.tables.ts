import type { Generated } from 'kysely';

export interface ApiTokensTable {
  id: string;
  org_id: string;
  name: string;
  role: string;
  /** sha256 hex of the token; the token is shown once and never stored. */
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** The first response to an Idempotency-Key, replayed for 24 h. */
export interface ApiIdempotencyTable {
  token_id: string;
  key: string;
  org_id: string;
  request_hash: string;
  status: number;
  body: string;
  created_at: string;
}

export interface WebhookSubscriptionsTable {
  id: string;
  org_id: string;
  url: string;
  /** JSON array of event patterns (`incident.*`, `incident.status_changed`). */
  events: string;
  secret: string;
  created_by: string;
  created_at: string;
  removed_at: string | null;
  removed_reason: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  org_id: string;
  subscription_id: string;
  delivery_id: string;
  event_type: string;
  incident_id: string | null;
  response_status: number | null;
  ok: number;
  duration_ms: number;
  error: string | null;
  attempted_at: string;
}

export interface WebhookCursorsTable {
  org_id: string;
  incident_id: string;
  seq: number;
}

export interface ApiTables {
  api_tokens: ApiTokensTable;
  api_idempotency: ApiIdempotencyTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_cursors: WebhookCursorsTable;
}
