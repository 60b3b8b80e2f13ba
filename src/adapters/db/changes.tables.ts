/** One row per deployment (org, source, external id): its latest status by time. */
export interface DeploymentsTable {
  org_id: string;
  source: string;
  external_id: string;
  connector_id: string;
  service: string;
  environment: string;
  version: string;
  commit_sha: string | null;
  ref: string | null;
  status: string;
  status_rank: number;
  status_at: string;
  url: string;
  actor: string;
  started_at: string;
  finished_at: string | null;
  /** 1 when the service was unknown to the org when the deployment first arrived. */
  unmapped: number;
  created_at: string;
  updated_at: string;
}

/** Every status a deployment was reported in, once each: the audit trail, and the replay guard. */
export interface DeploymentStatusesTable {
  org_id: string;
  source: string;
  external_id: string;
  status: string;
  status_at: string;
  actor: string;
  connector_id: string;
  outcome: string;
  received_at: string;
}

export interface ConnectorWebhookSecretsTable {
  connector_id: string;
  org_id: string;
  secret: string;
  created_at: string;
}

export interface ChangesTables {
  deployments: DeploymentsTable;
  deployment_statuses: DeploymentStatusesTable;
  connector_webhook_secrets: ConnectorWebhookSecretsTable;
}
