/** Slack installations (OAuth mode); written by src/adapters/slack/installation-store.ts. */
export interface SlackInstallationsTable {
  /** Team id, or the enterprise id for an org-wide install. */
  org_id: string;
  enterprise_id: string | null;
  team_id: string | null;
  is_enterprise_install: number;
  /** Encrypted (`v1.` envelope); null once uninstalled or revoked. */
  bot_token: string | null;
  bot_user_id: string | null;
  bot_id: string | null;
  /** The installing user. */
  user_id: string | null;
  /** Bolt's Installation object as JSON, encrypted (it holds the tokens too); null once uninstalled. */
  installation: string | null;
  installed_at: string;
  revoked_at: string | null;
}

export interface InstallationTables {
  slack_installations: SlackInstallationsTable;
}
