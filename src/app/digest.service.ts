import { canConfigureDigest, canPostDigestNow, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { cronProblem, firesAt } from '../watchlist/digest.schedule';
import { isValidTimeZone, minuteSlot } from '../watchlist/time.format';
import {
  allDigestSettings,
  claimSlot,
  type DigestDefaults,
  digestOrgs,
  type DigestSettings,
  digestSettingsOf,
  saveDigestSettings,
  type SettingsPatch,
} from '../adapters/db/digest.repo';
import { enqueueEffectReturningId } from '../adapters/db/outbox.repo';
import type { DB } from '../adapters/db/schema';
import { type DeliveryOutcome, effect, type PlannedEffect } from './effects';

export type { DigestSettings, SettingsPatch } from '../adapters/db/digest.repo';

/** The outbox as the digest needs it (the worker implements it). */
export interface DigestOutboxPort {
  /** Wake the worker: a queued digest goes out on its next pass. */
  kick(): void;
  /**
   * Claim one row and deliver it now with the worker's own delivery function; undefined if it was not
   * ours to take. Only processes that wait for the answer (CLI, sandbox) provide it.
   */
  deliverNow?(outboxId: number): Promise<DeliveryOutcome | undefined>;
}

export interface DigestServiceDeps {
  db: DB;
  /** DIGEST_CHANNEL / DIGEST_CRON / DIGEST_TIMEZONE. */
  defaults: DigestDefaults;
  now: () => Date;
  /** Without one (the scheduler), posts are only queued; the running worker delivers them. */
  outbox?: DigestOutboxPort;
}

export interface PostNowInput {
  orgId: string;
  actor: Actor;
  /** Same for a retry of one request (Slack's trigger id); a retry posts nothing more. */
  requestKey: string;
  /** `now`: deliver before returning (a CLI run, the sandbox button); `queue`: leave it to the worker. */
  delivery: 'now' | 'queue';
}

export interface PostNowResult {
  channel: string;
  slot: string;
  /** False when this request key was seen before: nothing was queued. */
  queued: boolean;
  outboxId?: number;
  /** With `delivery: 'now'`, how it went; undefined when the running worker had it first. */
  outcome?: DeliveryOutcome;
}

export function digestEffect(
  s: Pick<DigestSettings, 'channel' | 'timezone' | 'silentWhenEmpty'>,
  slot: string,
  reason: 'scheduled' | 'manual',
): PlannedEffect {
  return effect('digest.post', {
    channel: s.channel,
    timezone: s.timezone,
    silentWhenEmpty: s.silentWhenEmpty,
    slot,
    reason,
  });
}

/**
 * The watchlist digest: its settings per workspace, and posting it, on demand (slash command, CLI,
 * sandbox) or on schedule. Every post is an outbox row claimed with a slot row in one transaction, so
 * each slot (a scheduled minute, a request) posts once across processes and retries.
 */
export function createDigestService(deps: DigestServiceDeps) {
  const settings = (orgId: string) => digestSettingsOf(deps.db, orgId, deps.defaults);

  /** Claim the slot and queue the post; undefined when the slot was claimed before. */
  async function enqueue(
    orgId: string,
    s: DigestSettings,
    slot: string,
    reason: 'scheduled' | 'manual',
    by: string,
    at: Date,
  ) {
    const post = digestEffect(reason === 'manual' ? { ...s, silentWhenEmpty: false } : s, slot, reason);
    return deps.db.transaction().execute(async (trx) => {
      if (!(await claimSlot(trx, { orgId, kind: 'digest', slot, by, at }))) return undefined;
      return enqueueEffectReturningId(trx, orgId, null, post, at);
    });
  }

  async function postNow(input: PostNowInput): Promise<PostNowResult> {
    requirePermission(canPostDigestNow(input.actor));
    const s = await settings(input.orgId);
    if (!s.channel)
      throw new DomainError(
        'invalid_input',
        'There is no digest channel yet: set DIGEST_CHANNEL or run `/incident digest #channel`.',
      );
    const slot = `manual:${input.requestKey}`;
    const outboxId = await enqueue(input.orgId, s, slot, 'manual', input.actor.id, deps.now());
    if (outboxId === undefined) return { channel: s.channel, slot, queued: false };
    const outcome = input.delivery === 'now' ? await deps.outbox?.deliverNow?.(outboxId) : undefined;
    if (!outcome) deps.outbox?.kick();
    return { channel: s.channel, slot, queued: true, outboxId, outcome };
  }

  /**
   * Each workspace whose schedule fires in this minute gets its digest. Only the current minute is
   * looked at, so a tick missed while the bot was down is not replayed. Returns the workspaces queued.
   */
  async function postScheduled(o: { at: Date; homeOrg?: string; by: string }): Promise<string[]> {
    const slot = minuteSlot(o.at);
    const queued: string[] = [];
    for (const s of await allDigestSettings(deps.db, await digestOrgs(deps.db, o.homeOrg), deps.defaults)) {
      if (!s.enabled || !s.channel || !firesAt(s.cron, s.timezone, new Date(slot))) continue;
      if ((await enqueue(s.orgId, s, slot, 'scheduled', o.by, o.at)) !== undefined) queued.push(s.orgId);
    }
    return queued;
  }

  /** Change the workspace's digest (admins); returns the settings now in force. */
  async function configure(input: { orgId: string; actor: Actor; patch: SettingsPatch }): Promise<DigestSettings> {
    requirePermission(canConfigureDigest(input.actor));
    const { cron, timezone } = input.patch;
    const problem = cron ? cronProblem(cron) : undefined;
    if (problem) throw new DomainError('invalid_input', problem);
    if (timezone && !isValidTimeZone(timezone))
      throw new DomainError(
        'invalid_input',
        `“${timezone}” is not a time zone; use an IANA name such as Europe/Berlin.`,
      );
    await saveDigestSettings(deps.db, { orgId: input.orgId, patch: input.patch, by: input.actor.id, now: deps.now() });
    return settings(input.orgId);
  }

  return { settings, postNow, postScheduled, configure };
}

export type DigestService = ReturnType<typeof createDigestService>;
