import { SEVERITIES } from '../../incidents/incident.types';
import type { IncidentRow } from '../db/schema';
import { IDS } from './ids';
import { privateCheckbox } from './privacy/privacy.blocks';
import { truncate } from '../../shared/text';
import { severityLabel, slackDate, statusLabel } from './summary.blocks';
import { fitBlocks } from '../../shared/block-limits';
import { clipMrkdwn, untrustedMrkdwn as u } from '../../shared/text';

export const HELP_TEXT = [
  '*`/incident` commands*',
  '`declare [--private] [sev1-4] <title>` — open an incident (no title: a form)',
  '`private` · `request-access INC-<n>` · `invite @user` · `join INC-<n>` (admins) — private incidents',
  '`status <investigating|mitigated|resolved|cancelled> [message]` — change the lifecycle',
  '`severity <sev1-4>` · `assign <commander|comms|scribe> @user`',
  '`note <text>` · `action <text>` · `update <text>` — timeline, follow-ups, stakeholder updates',
  '`followups [repo owner/name | auto on|off | map @user login]` — follow-ups in GitHub Issues',
  '`timeline` · `list [open|all] [search]` · `guidance` · `runbook [service]` · `postmortem` · `watchlist`',
  '`catchup [30m|2h|09:00]` — what you missed (only you) · `timeline edit <#> <HH:MM>` — correct an entry time',
  '`settings thread-capture on|off` (admins) — whether summary-thread replies join the timeline',
  '`digest [#channel [cron] [tz] | now | silent on|off]` — the watchlist digest (admins change it)',
  '`insights [7d|30d|90d]` — MTTA/MTTM/MTTR, incidents per week, SLA rate as a chart in the channel',
  '`services` — the service catalog (owners, tiers, dependencies, bad files) · `signals` — why each signal joined',
  '`access grant @user <admin|sre_lead|responder|viewer>` · `connector add <alertmanager|grafana|datadog|generic> [name]` (admins)',
  'Commands about one incident run in its channel.',
].join('\n');

export function actionMessage(
  incidentNumber: number,
  actionId: string,
  text: string,
  owner?: string,
  opts: { exportButton?: boolean } = {},
) {
  // With a tracker set up, an Export to GitHub button under the follow-up (followups.listener.ts).
  const exportRow = opts.exportButton
    ? [{ type: 'actions', elements: [{ type: 'button', action_id: IDS.actionExport, text: { type: 'plain_text', text: 'Export to GitHub' }, value: actionId }] }]
    : [];
  return {
    text: clipMrkdwn(`Follow-up on INC-${incidentNumber}: ${u(text)}`, 3000),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: clipMrkdwn(`:ballot_box_with_check: *Follow-up*: ${u(text)}${owner ? ` (owner <@${owner}>)` : ''}`, 2900) },
        accessory: { type: 'button', action_id: IDS.actionDone, text: { type: 'plain_text', text: 'Done' }, value: actionId, style: 'primary' },
      },
      ...exportRow,
    ],
  };
}

export function timelineBlocks(inc: IncidentRow, rows: Array<{ occurred_at: string; text: string }>) {
  // Timeline texts quote people and alerts: escaped (the mentions our own lines carry survive, see untrustedMrkdwn).
  const lines = rows.map((r) => `${slackDate(r.occurred_at, '{date_short} {time_secs}')} — ${u(r.text)}`);
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(`Timeline of INC-${inc.number}`, 150) } }];
  // One section per ~2,800 characters, at most 45 sections: Slack's limits, with the newest kept.
  let chunk = '';
  const chunks: string[] = [];
  for (const l of lines) {
    const line = clipMrkdwn(l, 2800);
    // Found by fuzzing: a first line near the limit pushed an empty chunk, an empty section Slack refuses.
    if (chunk && chunk.length + line.length + 1 > 2800) {
      chunks.push(chunk);
      chunk = '';
    }
    chunk += (chunk ? '\n' : '') + line;
  }
  if (chunk) chunks.push(chunk);
  const shown = chunks.slice(-45);
  if (shown.length < chunks.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `(${chunks.length - shown.length} earlier parts omitted)` }] });
  for (const c of shown) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: c } });
  return { text: `Timeline of INC-${inc.number} (${rows.length} entries)`, blocks: fitBlocks(blocks) };
}

export function listBlocks(rows: IncidentRow[], which: string) {
  if (rows.length === 0) return { text: which === 'open' ? 'No open incidents. :tada:' : 'No incidents yet.', blocks: undefined };
  const lines = rows.map((i) => {
    const ch = i.channel_id ? ` <#${i.channel_id}>` : '';
    const sig = i.signal_count ? ` · ${i.signal_count} signals` : '';
    return `*INC-${i.number}* ${u(truncate(i.title, 80))} — ${severityLabel(i.severity)}, ${statusLabel(i.status)}${sig}${ch}`;
  });
  return { text: clipMrkdwn(lines.join('\n'), 3000), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clipMrkdwn(lines.join('\n'), 2900) } }] };
}

export function declareModal(opts: { channelId: string; title?: string; severity?: string; service?: string; description?: string; private?: boolean }) {
  const sevOption = (s: string) => ({ text: { type: 'plain_text', text: s }, value: s });
  return {
    type: 'modal' as const,
    callback_id: IDS.declareModal,
    private_metadata: JSON.stringify({ channelId: opts.channelId }),
    title: { type: 'plain_text' as const, text: 'Declare incident' },
    submit: { type: 'plain_text' as const, text: 'Declare' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      { type: 'input', block_id: IDS.inputTitle, label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: IDS.inputTitle, max_length: 150, ...(opts.title ? { initial_value: opts.title } : {}) } },
      {
        type: 'input',
        block_id: IDS.inputSeverity,
        label: { type: 'plain_text', text: 'Severity' },
        element: { type: 'static_select', action_id: IDS.inputSeverity, options: SEVERITIES.map(sevOption), initial_option: sevOption(opts.severity ?? 'SEV3') },
      },
      { type: 'input', block_id: IDS.inputService, optional: true, label: { type: 'plain_text', text: 'Service' }, element: { type: 'plain_text_input', action_id: IDS.inputService, ...(opts.service ? { initial_value: opts.service } : {}) } },
      {
        type: 'input',
        block_id: IDS.inputDescription,
        optional: true,
        label: { type: 'plain_text', text: 'Description' },
        element: { type: 'plain_text_input', action_id: IDS.inputDescription, multiline: true, ...(opts.description ? { initial_value: opts.description } : {}) },
      },
      privateCheckbox(opts.private),
    ],
  };
}

export function homeView(open: IncidentRow[]) {
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: 'Open incidents' } }];
  if (open.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No open incidents. :tada:' } });
  for (const i of open.slice(0, 20)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clipMrkdwn(`*INC-${i.number}* ${u(i.title)}\n${severityLabel(i.severity)} · ${statusLabel(i.status)} · since ${slackDate(i.created_at)} · commander ${i.commander_id ? `<@${i.commander_id}>` : '_none_'}${i.channel_id ? ` · <#${i.channel_id}>` : ''}`, 2900),
      },
    });
  }
  return { type: 'home' as const, blocks: fitBlocks(blocks, 100) };
}
