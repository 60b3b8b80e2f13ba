import { effect } from '../../app/effects';
import { reminderDue } from '../../watchlist/reminder.policy';
import { reminderCandidates, snoozesOf } from '../db/digest-jobs.repo';
import { claimSlot } from '../db/digest.repo';
import { enqueueEffects } from '../db/outbox.repo';
import type { Job } from './job';

/** One reminder per incident per interval without an update; the slot row makes it once across processes. */
export const reminderJob: Job = async (ctx, at) => {
  const intervals = ctx.config.reminders.intervals;
  const rows = await reminderCandidates(ctx.db, Object.keys(intervals));
  if (!rows.length) return [];
  const snoozes = await snoozesOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  const due = rows
    .map((r) => ({
      r,
      d: reminderDue(
        { status: r.status, severity: r.severity, createdAt: r.created_at, lastUpdateAt: r.last_update_at },
        intervals,
        at,
        snoozes.get(r.id),
      ),
    }))
    .filter((x): x is { r: (typeof rows)[number]; d: NonNullable<typeof x.d> } => !!x.d);
  if (!due.length) return [];
  // Most due slots were claimed on an earlier tick: read them first instead of writing every minute.
  const taken = await ctx.db
    .selectFrom('schedule_leases')
    .select(['subject', 'slot'])
    .where('kind', '=', 'reminder')
    .where(
      'subject',
      'in',
      due.map((x) => x.r.id),
    )
    .execute();
  const seen = new Set(taken.map((t) => `${t.subject}|${t.slot}`));
  const claimed: string[] = [];
  for (const { r, d } of due) {
    if (seen.has(`${r.id}|${d.slot}`)) continue;
    const won = await ctx.db.transaction().execute(async (trx) => {
      if (!(await claimSlot(trx, { orgId: r.org_id, kind: 'reminder', subject: r.id, slot: d.slot, by: ctx.id, at })))
        return false;
      await enqueueEffects(
        trx,
        r.org_id,
        r.id,
        [effect('reminder.post', { incidentId: r.id, slot: d.slot, interval: d.interval })],
        at,
      );
      return true;
    });
    if (won) claimed.push(r.id);
  }
  return claimed;
};
