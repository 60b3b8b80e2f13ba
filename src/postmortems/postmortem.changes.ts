import { formatUtc } from './postmortem.timeline';

/** A deployment of the incident's service around it, as the postmortem's Changes section lists it. */
export interface PostmortemChange {
  service: string;
  environment: string;
  version: string;
  status: string;
  actor: string;
  at: string;
  url?: string;
  /** Minutes before the first signal (negative: after it). */
  minutesBefore: number;
}

const md = (s: string) => s.replace(/([\\`*_[\]<>|])/g, '\\$1');

/**
 * "## Changes": deployments of the service from 2 h before the first signal to the end, oldest first;
 * the ones before the first signal are marked as suspects. Empty list, no section.
 */
export function changesSection(changes: readonly PostmortemChange[] | undefined): string[] {
  if (!changes?.length) return [];
  const lines = [...changes]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((c) => {
      const version = c.url && /^https?:\/\//.test(c.url) ? `[${md(c.version)}](${c.url})` : md(c.version);
      const when =
        c.minutesBefore >= 0
          ? `${Math.round(c.minutesBefore)} min before the first signal (suspect)`
          : `${Math.round(-c.minutesBefore)} min after the first signal`;
      return `- \`${formatUtc(c.at)}\` — ${md(c.service)} ${version} → ${md(c.environment)}: ${c.status.replace('_', ' ')}, by ${md(c.actor)}, ${when}`;
    });
  return ['## Changes', '', ...lines, ''];
}
