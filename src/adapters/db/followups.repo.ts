import type { DB } from './schema';

/** Follow-up tracker settings and lookups (followups.tables.ts). */
export interface FollowUpSettingsRow {
  repository: string | null;
  autoExport: boolean;
  updatedBy?: string;
  updatedAt?: string;
}

export async function getFollowUpSettings(db: DB, orgId: string): Promise<FollowUpSettingsRow | undefined> {
  const r = await db.selectFrom('followup_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  return r ? { repository: r.repository, autoExport: Number(r.auto_export) === 1, updatedBy: r.updated_by, updatedAt: r.updated_at } : undefined;
}

/** Changes only the given fields; the rest keep their stored (or default) value. */
export async function saveFollowUpSettings(
  db: DB,
  orgId: string,
  patch: { repository?: string | null; autoExport?: boolean },
  by: string,
  at: string,
): Promise<void> {
  const now = await getFollowUpSettings(db, orgId);
  const row = {
    org_id: orgId,
    repository: patch.repository !== undefined ? patch.repository : now?.repository ?? null,
    auto_export: (patch.autoExport ?? now?.autoExport ?? false) ? 1 : 0,
    updated_by: by,
    updated_at: at,
  };
  await db
    .insertInto('followup_settings')
    .values(row)
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ repository: row.repository, auto_export: row.auto_export, updated_by: by, updated_at: at }))
    .execute();
}

export async function getGitHubLogins(db: DB, orgId: string, userIds: string[]): Promise<Record<string, string>> {
  if (userIds.length === 0) return {};
  const rows = await db.selectFrom('followup_logins').select(['user_id', 'login']).where('org_id', '=', orgId).where('user_id', 'in', userIds).execute();
  return Object.fromEntries(rows.map((r) => [r.user_id, r.login]));
}

export async function listGitHubLogins(db: DB, orgId: string): Promise<Array<{ userId: string; login: string }>> {
  const rows = await db.selectFrom('followup_logins').select(['user_id', 'login']).where('org_id', '=', orgId).orderBy('user_id').execute();
  return rows.map((r) => ({ userId: r.user_id, login: r.login }));
}

export async function saveGitHubLogin(db: DB, orgId: string, userId: string, login: string | null, by: string, at: string): Promise<void> {
  if (login === null) {
    await db.deleteFrom('followup_logins').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
    return;
  }
  await db
    .insertInto('followup_logins')
    .values({ org_id: orgId, user_id: userId, login, updated_by: by, updated_at: at })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ login, updated_by: by, updated_at: at }))
    .execute();
}

/** The follow-ups exported to one issue (one per workspace that exported it; normally one). */
export async function findFollowUpsByIssue(db: DB, issueKey: string): Promise<Array<{ orgId: string; incidentId: string; actionId: string }>> {
  const rows = await db
    .selectFrom('incident_actions')
    .select(['org_id', 'incident_id', 'action_id'])
    .where('issue_key', '=', issueKey)
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, incidentId: r.incident_id, actionId: r.action_id }));
}
