import { SEVERITIES } from '../../../incidents/incident.types';
import { escapeMrkdwn, truncate } from '../../../shared/text';
import { absoluteTime, relativeAge } from '../../../watchlist/time.format';
import { channelProblemText } from '../delivery/channel-problem.text';
import { severityLabel, statusLabel } from '../summary.blocks';

type Block = Record<string, unknown>;

export interface HomeIncident {
  number: number;
  title: string;
  severity: string;
  status: string;
  created_at: string;
  commander_id: string | null;
  channel_id: string | null;
  /** Why the incident has no channel (Slack's error code), when opening it failed. */
  channelProblem?: string;
}

/** Open incidents grouped by severity, each with its age and commander, times in the viewer's zone. */
export function incidentsBySeverityBlocks(rows: HomeIncident[], now: Date, timeZone: string): Block[] {
  const blocks: Block[] = [
    {
      type: 'header',
      block_id: 'home_by_sev_header',
      text: { type: 'plain_text', text: 'Open incidents by severity' },
    },
  ];
  if (rows.length === 0)
    return [
      ...blocks,
      { type: 'section', block_id: 'home_by_sev_none', text: { type: 'mrkdwn', text: 'No open incidents. :tada:' } },
    ];
  for (const sev of SEVERITIES) {
    const mine = rows.filter((r) => r.severity === sev).sort((a, b) => a.created_at.localeCompare(b.created_at));
    if (!mine.length) continue;
    const lines = mine.map((i) => {
      const age = relativeAge(i.created_at, now).replace(/ ago$/, ' old');
      const cmd = i.commander_id ? `<@${i.commander_id}>` : '_no commander_';
      const ch = i.channel_id
        ? ` <#${i.channel_id}>`
        : i.channelProblem
          ? ` · :warning: no channel: ${escapeMrkdwn(channelProblemText(i.channelProblem))}`
          : '';
      return `• *INC-${i.number}* ${escapeMrkdwn(truncate(i.title, 80))} — ${statusLabel(i.status)} · ${age} (since ${absoluteTime(i.created_at, timeZone, now)}) · commander ${cmd}${ch}`;
    });
    blocks.push({
      type: 'section',
      block_id: `home_by_sev_${sev}`,
      text: { type: 'mrkdwn', text: truncate(`*${severityLabel(sev)}* (${mine.length})\n${lines.join('\n')}`, 2900) },
    });
  }
  blocks.push({
    type: 'context',
    block_id: 'home_by_sev_tz',
    elements: [{ type: 'mrkdwn', text: `Times in ${timeZone} (your Slack time zone).` }],
  });
  return blocks;
}

/** The viewer's own follow-ups that are not done yet. */
export function myActionsBlocks(rows: Array<{ text: string; number: number; channel_id: string | null }>): Block[] {
  const blocks: Block[] = [
    { type: 'header', block_id: 'home_my_actions_header', text: { type: 'plain_text', text: 'Your open follow-ups' } },
  ];
  if (rows.length === 0) {
    return [
      ...blocks,
      {
        type: 'section',
        block_id: 'home_my_actions_none',
        text: {
          type: 'mrkdwn',
          text: 'Nothing assigned to you. Follow-ups get an owner with `/incident action <text> @owner`.',
        },
      },
    ];
  }
  const lines = rows
    .slice(0, 30)
    .map(
      (a) => `• ${escapeMrkdwn(truncate(a.text, 200))} — INC-${a.number}${a.channel_id ? ` <#${a.channel_id}>` : ''}`,
    );
  const more = rows.length > 30 ? `\n…and ${rows.length - 30} more` : '';
  return [
    ...blocks,
    {
      type: 'section',
      block_id: 'home_my_actions',
      text: { type: 'mrkdwn', text: truncate(lines.join('\n') + more, 2900) },
    },
  ];
}
