import type { IncidentRow } from '../db/schema';
import { clipMrkdwn, truncate, untrustedMrkdwn } from '../../shared/text';
import { fitBlocks, SLACK_BLOCK_LIMITS } from '../../shared/block-limits';

const SEV_EMOJI: Record<string, string> = {
  SEV1: ':red_circle:',
  SEV2: ':large_orange_circle:',
  SEV3: ':large_yellow_circle:',
  SEV4: ':white_circle:',
};
const STATUS_EMOJI: Record<string, string> = {
  OPEN: ':rotating_light:',
  INVESTIGATING: ':mag:',
  MITIGATED: ':adhesive_bandage:',
  RESOLVED: ':white_check_mark:',
  CANCELLED: ':no_entry_sign:',
};

export const statusLabel = (s: string) => `${STATUS_EMOJI[s] ?? ''} ${s.charAt(0)}${s.slice(1).toLowerCase()}`.trim();
export const severityLabel = (s: string) => `${SEV_EMOJI[s] ?? ''} ${s}`.trim();
const who = (id: string | null) => (id ? `<@${id}>` : '_unassigned_');
/** Slack renders `<!date^…>` in each reader's own time zone, with a UTC fallback. */
export const slackDate = (iso: string, format = '{date_short_pretty} {time}') =>
  `<!date^${Math.floor(Date.parse(iso) / 1000)}^${format}|${iso.replace('T', ' ').slice(0, 16)} UTC>`;

/** The pinned live summary: edited in place on every change. */
export function summaryBlocks(inc: IncidentRow) {
  // Title, service, description and updates come from people or alerts: escaped, never relayed as broadcasts.
  const u = untrustedMrkdwn;
  const text = clipMrkdwn(
    `INC-${inc.number}: ${u(inc.title)} — ${inc.severity}, ${inc.status.toLowerCase()}`,
    SLACK_BLOCK_LIMITS.text,
  );
  const fields = [
    `*Status*\n${statusLabel(inc.status)}`,
    `*Severity*\n${severityLabel(inc.severity)}`,
    `*Commander*\n${who(inc.commander_id)}`,
    `*Comms*\n${who(inc.comms_id)}`,
    `*Scribe*\n${who(inc.scribe_id)}`,
    `*Started*\n${slackDate(inc.created_at)}`,
  ];
  if (inc.service)
    fields.push(
      clipMrkdwn(
        `*Service*\n${u(inc.service)}${inc.environment ? ` (${u(inc.environment)})` : ''}`,
        SLACK_BLOCK_LIMITS.fieldText,
      ),
    );
  if (inc.signal_count > 0) fields.push(`*Signals*\n${inc.open_signal_count} firing / ${inc.signal_count} total`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`INC-${inc.number}: ${inc.title}`, 150) } },
    { type: 'section', fields: fields.slice(0, 10).map((t) => ({ type: 'mrkdwn', text: t })) },
  ];
  const description = clipMrkdwn(u(inc.description ?? ''), 2900);
  if (description.trim()) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: description } });
  const last = inc.last_update_at
    ? `*Last update* ${slackDate(inc.last_update_at)}: ${clipMrkdwn(u(inc.last_update_text ?? ''), 2500)}`
    : '*Last update* none yet — post one with `/incident update &lt;text&gt;`';
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: last } });
  const ctx = [
    `${inc.action_count - inc.open_action_count}/${inc.action_count} follow-ups done`,
    `${inc.note_count} notes`,
  ];
  if (inc.postmortem_pr_url) ctx.push(`postmortem PR: <${inc.postmortem_pr_url}>`);
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${ctx.join(' · ')} · updated ${slackDate(inc.updated_at, '{time}')}` }],
  });
  return { text, blocks: fitBlocks(blocks) };
}
