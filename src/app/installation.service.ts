/**
 * A workspace uninstalling the app or revoking its tokens (OAuth mode): its stored tokens go, and the
 * outbox is woken so that workspace's pending effects fail with `workspace_not_installed` at once
 * instead of calling Slack. Both are idempotent: Slack's retries are harmless.
 */
export interface InstallationStorePort {
  /** Delete the workspace's bot token and installation; false when there was none left. */
  revokeWorkspace(orgId: string, at: Date): Promise<boolean>;
  /** Forget these users' tokens; false when none was stored. */
  revokeUsers(orgId: string, userIds: string[]): Promise<boolean>;
}

export interface InstallationDeps {
  installations: InstallationStorePort;
  now: () => Date;
  kickOutbox: () => void;
}

export async function workspaceUninstalled(deps: InstallationDeps, orgId: string): Promise<{ revoked: boolean }> {
  const revoked = await deps.installations.revokeWorkspace(orgId, deps.now());
  deps.kickOutbox();
  return { revoked };
}

/** `tokens_revoked`: the bot token ends the installation; user tokens only drop those users'. */
export async function tokensRevoked(
  deps: InstallationDeps,
  input: { orgId: string; botTokens: number; userIds: string[] },
): Promise<{ scope: 'bot' | 'user' | 'none'; revoked: boolean }> {
  if (input.botTokens > 0) return { scope: 'bot', ...(await workspaceUninstalled(deps, input.orgId)) };
  if (input.userIds.length)
    return { scope: 'user', revoked: await deps.installations.revokeUsers(input.orgId, input.userIds) };
  return { scope: 'none', revoked: false };
}
