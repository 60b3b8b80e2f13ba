import type { DB, Trx } from './schema';

export interface DigestDefaults {
  channel?: string;
  cron: string;
  timezone: string;
}

export interface DigestSettings {
  channel?: string;
  cron: string;
  timezone: string;
  silentWhenEmpty: boolean;
  enabled: boolean;
  /** Which values come from the workspace's own settings rather than the environment. */
  custom: { channel: boolean; cron: boolean; timezone: boolean };
}

type SettingsRow = {
  channel: string | null;
  cron: string | null;
  timezone: string | null;
  silent_when_empty: number;
  enabled: number;
};

export function effectiveSettings(row: SettingsRow | undefined, d: DigestDefaults): DigestSettings {
  return {
    channel: row?.channel ?? d.channel,
    cron: row?.cron ?? d.cron,
    timezone: row?.timezone ?? d.timezone,
    silentWhenEmpty: row?.silent_when_empty === 1,
    enabled: row ? row.enabled === 1 : true,
    custom: { channel: !!row?.channel, cron: !!row?.cron, timezone: !!row?.timezone },
  };
}

export async function digestSettingsOf(db: DB, orgId: string, d: DigestDefaults): Promise<DigestSettings> {
  const row = await db.selectFrom('digest_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  return effectiveSettings(row, d);
}

export interface SettingsPatch {
  channel?: string | null;
  cron?: string | null;
  timezone?: string | null;
  silentWhenEmpty?: boolean;
  enabled?: boolean;
}

export async function saveDigestSettings(db: DB, s: { orgId: string; patch: SettingsPatch; by: string; now: Date }) {
  const p = s.patch;
  const changes = {
    ...(p.channel !== undefined ? { channel: p.channel } : {}),
    ...(p.cron !== undefined ? { cron: p.cron } : {}),
    ...(p.timezone !== undefined ? { timezone: p.timezone } : {}),
    ...(p.silentWhenEmpty !== undefined ? { silent_when_empty: p.silentWhenEmpty ? 1 : 0 } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled ? 1 : 0 } : {}),
    updated_by: s.by,
    updated_at: s.now.toISOString(),
  };
  await db
    .insertInto('digest_settings')
    .values({
      org_id: s.orgId,
      channel: null,
      cron: null,
      timezone: null,
      silent_when_empty: 0,
      enabled: 1,
      ...changes,
    })
    .onConflict((oc) => oc.column('org_id').doUpdateSet(changes))
    .execute();
}

/**
 * Workspaces that get a digest: those whose admin configured one, plus, for the environment defaults,
 * the bot's own workspace (single-workspace mode) or every live installation (OAuth mode). Workspaces
 * merely seen in the data do not get the default: in single-workspace mode it would post their digests
 * into our one channel.
 */
export async function digestOrgs(db: DB, homeOrg: string | undefined): Promise<string[]> {
  const custom = await db.selectFrom('digest_settings').select('org_id').execute();
  const defaults = homeOrg
    ? [homeOrg]
    : (await db.selectFrom('slack_installations').select('org_id').where('revoked_at', 'is', null).execute()).map(
        (r) => r.org_id,
      );
  return [...new Set([...custom.map((r) => r.org_id), ...defaults])];
}

export async function allDigestSettings(
  db: DB,
  orgIds: string[],
  d: DigestDefaults,
): Promise<Array<DigestSettings & { orgId: string }>> {
  const rows = orgIds.length
    ? await db.selectFrom('digest_settings').selectAll().where('org_id', 'in', orgIds).execute()
    : [];
  const byOrg = new Map(rows.map((r) => [r.org_id, r]));
  return orgIds.map((orgId) => ({ orgId, ...effectiveSettings(byOrg.get(orgId), d) }));
}

// ---- slot claims: one row per job run, made unique by the database ----

export interface SlotClaim {
  orgId: string;
  kind: 'digest' | 'reminder' | 'archive_notice' | 'archive' | 'slo_eval' | 'heartbeat_check' | 'insights';
  subject?: string;
  slot: string;
  by: string;
  at: Date;
}

/** True for the one caller that gets the slot; every other process (or a restart) gets false. */
export async function claimSlot(db: DB | Trx, c: SlotClaim): Promise<boolean> {
  const res = await db
    .insertInto('schedule_leases')
    .values({
      org_id: c.orgId,
      kind: c.kind,
      subject: c.subject ?? '',
      slot: c.slot,
      claimed_by: c.by,
      claimed_at: c.at.toISOString(),
    })
    .onConflict((oc) => oc.columns(['org_id', 'kind', 'subject', 'slot']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function claimedAt(db: DB, c: Omit<SlotClaim, 'by' | 'at'>): Promise<string | undefined> {
  const row = await db
    .selectFrom('schedule_leases')
    .select('claimed_at')
    .where('org_id', '=', c.orgId)
    .where('kind', '=', c.kind)
    .where('subject', '=', c.subject ?? '')
    .where('slot', '=', c.slot)
    .executeTakeFirst();
  return row?.claimed_at;
}

export async function everClaimed(db: DB, orgId: string, kind: SlotClaim['kind'], subject: string): Promise<boolean> {
  const row = await db
    .selectFrom('schedule_leases')
    .select('slot')
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return !!row;
}
