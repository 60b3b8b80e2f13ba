import type { PlannedEffect } from '../../app/effects';
import { firesAt } from '../../watchlist/digest.schedule';
import { minuteSlot } from '../../watchlist/time.format';
import { allDigestSettings, claimSlot, type DigestSettings, digestOrgs } from '../db/digest.repo';
import { enqueueEffects } from '../db/outbox.repo';
import type { Job } from './job';

export const DIGEST_POST = 'digest.post';

export function digestEffect(s: Pick<DigestSettings, 'channel' | 'timezone' | 'silentWhenEmpty'>, slot: string, reason: 'scheduled' | 'manual'): PlannedEffect {
  return { kind: DIGEST_POST, payload: { channel: s.channel, timezone: s.timezone, silentWhenEmpty: s.silentWhenEmpty, slot, reason } };
}

/**
 * Each workspace whose schedule fires in this minute gets its digest: the slot row and the outbox row
 * are written in one transaction, and only the process that inserts the slot row enqueues. Only the
 * current minute is ever looked at, so a tick missed while the bot was down is not replayed.
 */
export const digestJob: Job = async (ctx, at) => {
  const slot = minuteSlot(at);
  const home = await ctx.homeOrg?.().catch(() => undefined);
  const claimed: string[] = [];
  for (const s of await allDigestSettings(ctx.db, await digestOrgs(ctx.db, home), ctx.config.digest)) {
    if (!s.enabled || !s.channel || !firesAt(s.cron, s.timezone, new Date(slot))) continue;
    const won = await ctx.db.transaction().execute(async (trx) => {
      if (!(await claimSlot(trx, { orgId: s.orgId, kind: 'digest', slot, by: ctx.id, at }))) return false;
      await enqueueEffects(trx, s.orgId, null, [digestEffect(s, slot, 'scheduled')], at);
      return true;
    });
    if (won) claimed.push(s.orgId);
  }
  return claimed;
};
