/** Auto-archive of closed incidents' channels: a notice first, the archive after the grace period. */

const HOUR = 3_600_000;

export interface ArchiveSubject {
  status: string;
  resolvedAt?: string | null;
  cancelledAt?: string | null;
}

/** When the incident closed (the slot its archive is keyed on), or undefined while it is open. */
export function closedAt(inc: ArchiveSubject): string | undefined {
  if (inc.status === 'RESOLVED') return inc.resolvedAt ?? undefined;
  if (inc.status === 'CANCELLED') return inc.cancelledAt ?? undefined;
  return undefined;
}

/** The notice goes out this long before the archive (an hour, or half a short grace period). */
export const noticeLeadMs = (graceMs: number) => Math.min(HOUR, Math.floor(graceMs / 2));

export interface ArchivePlan {
  step: 'notice' | 'archive';
  closedAt: string;
  archiveAt: string;
}

/**
 * What to do now: post the notice once its time has come; archive once the grace period is over and
 * the notice has been up for its lead time (so a bot that was down still warns before archiving).
 */
export function archiveStep(
  inc: ArchiveSubject,
  graceMs: number,
  now: Date,
  noticeSentAt?: string,
): ArchivePlan | undefined {
  if (!(graceMs > 0)) return undefined;
  const closed = closedAt(inc);
  if (!closed) return undefined;
  const archiveAt = Date.parse(closed) + graceMs;
  const lead = noticeLeadMs(graceMs);
  const t = now.getTime();
  const plan = (step: ArchivePlan['step']): ArchivePlan => ({
    step,
    closedAt: closed,
    archiveAt: new Date(Math.max(archiveAt, noticeSentAt ? Date.parse(noticeSentAt) + lead : archiveAt)).toISOString(),
  });
  if (!noticeSentAt) return t >= archiveAt - lead ? plan('notice') : undefined;
  return t >= archiveAt && t - Date.parse(noticeSentAt) >= lead ? plan('archive') : undefined;
}

/** When the archive will happen, for the notice text. */
export const plannedArchiveAt = (closed: string, graceMs: number, noticeAt: Date) =>
  new Date(Math.max(Date.parse(closed) + graceMs, noticeAt.getTime() + noticeLeadMs(graceMs))).toISOString();
