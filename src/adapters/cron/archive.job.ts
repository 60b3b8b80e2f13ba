import { effect } from '../../app/effects';
import { archiveStep, plannedArchiveAt } from '../../watchlist/archive.policy';
import { archiveCandidates } from '../db/digest-jobs.repo';
import { claimSlot } from '../db/digest.repo';
import { enqueueEffects } from '../db/outbox.repo';
import type { Job } from './job';

/** Closed incidents: a notice in the channel, then the archive once the grace period is over. */
export const archiveJob: Job = async (ctx, at) => {
  const graceMs = ctx.config.archiveAfterHours * 3_600_000;
  if (graceMs <= 0) return [];
  const claimed: string[] = [];
  for (const r of await archiveCandidates(ctx.db)) {
    const plan = archiveStep(
      { status: r.status, resolvedAt: r.resolved_at, cancelledAt: r.cancelled_at },
      graceMs,
      at,
      r.notice_at ?? undefined,
    );
    if (!plan) continue;
    const kind = plan.step === 'notice' ? 'archive_notice' : 'archive';
    const planned =
      plan.step === 'notice'
        ? effect('channel.archive_notice', {
            incidentId: r.id,
            closedAt: plan.closedAt,
            archiveAt: plannedArchiveAt(plan.closedAt, graceMs, at),
          })
        : effect('channel.archive', { incidentId: r.id, closedAt: plan.closedAt });
    const won = await ctx.db.transaction().execute(async (trx) => {
      if (!(await claimSlot(trx, { orgId: r.org_id, kind, subject: r.id, slot: plan.closedAt, by: ctx.id, at })))
        return false;
      await enqueueEffects(trx, r.org_id, r.id, [planned], at);
      return true;
    });
    if (won) claimed.push(`${plan.step}:${r.id}`);
  }
  return claimed;
};
