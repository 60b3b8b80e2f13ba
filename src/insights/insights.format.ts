import type { DurationStats, Insights, Rate } from './insights.types';
import { describeSlaTargets } from './sla-targets';

/** `45 s`, `12 min`, `5.5 h`, `3.2 d`: one decimal at most, the unit chosen by size. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const round = (n: number) => String(Math.round(n * 10) / 10);
  if (ms < 60_000) return `${round(ms / 1000)} s`;
  if (ms < 120 * 60_000) return `${round(ms / 60_000)} min`;
  if (ms < 48 * 3_600_000) return `${round(ms / 3_600_000)} h`;
  return `${round(ms / 86_400_000)} d`;
}

export const formatRate = (r: Rate): string =>
  r.rate === null ? '—' : `${Math.round(r.rate * 1000) / 10} % (${r.numerator}/${r.denominator})`;

export const formatStats = (s: DurationStats): string =>
  s.count === 0 ? '—' : `median ${formatDuration(s.medianMs)}, p90 ${formatDuration(s.p90Ms)} (n=${s.count})`;

/** The numbers as plain lines (Slack mrkdwn-safe: no user text, only numbers, severities and service names). */
export function insightsLines(r: Insights): string[] {
  const lines = [
    `*Insights, last ${r.window}* (${r.from.slice(0, 10)} → ${r.to.slice(0, 10)})`,
    `Incidents: ${r.totals.incidents} (${r.totals.open} open, ${r.totals.resolved} resolved, ` +
      `${r.totals.cancelled} cancelled)`,
    `MTTA: ${formatStats(r.totals.mtta)}`,
    `MTTM: ${formatStats(r.totals.mttm)}`,
    `MTTR: ${formatStats(r.totals.mttr)}`,
  ];
  for (const s of r.bySeverity.filter((x) => x.incidents > 0))
    lines.push(
      `• ${s.severity}: ${s.incidents} — MTTA ${formatDuration(s.mtta.medianMs)}, ` +
        `MTTM ${formatDuration(s.mttm.medianMs)}, MTTR ${formatDuration(s.mttr.medianMs)} (medians)`,
    );
  lines.push(
    `SLA breach rate: ${formatRate(r.sla)}`,
    `Postmortem completion (resolved SEV1/SEV2 with a PR): ${formatRate(r.postmortems)}`,
    `Follow-up completion: ${formatRate(r.followUps)}`,
    r.rollbacks.count === 0
      ? 'Time to rollback: no rollbacks'
      : `Time to rollback (requested → completed): ${formatStats(r.rollbacks.requestToComplete)}`,
  );
  if (r.hiddenPrivate > 0) lines.push(`(${r.hiddenPrivate} private incident(s) counted in the totals only)`);
  lines.push(`SLA targets: ${describeSlaTargets(r.sla.targets)}`);
  return lines;
}
