import type { ExportOutcome, FollowUpSettings } from '../../../app/followups.service';
import type { ActionItem } from '../../../incidents/incident.types';
import { fitBlocks } from '../../../shared/block-limits';
import { clipMrkdwn, untrustedMrkdwn as u } from '../../../shared/text';
import { IDS } from '../ids';

/** Pure Block Kit and text for follow-ups in GitHub Issues (`/incident followups`, the Export button). */
export const FOLLOWUPS_USAGE = [
  '`/incident followups` — in an incident channel: its follow-ups, their GitHub issues, an Export button each',
  '`/incident followups export` — export every follow-up of the incident not in GitHub yet',
  '`/incident followups repo owner/name` · `repo reset` — the repository issues go to (admins)',
  '`/incident followups auto on|off` — export every follow-up when its incident is resolved (admins)',
  '`/incident followups map @user github-login` · `map @user remove` — who an issue is assigned to (admins; anyone for themselves)',
].join('\n');

const issueLink = (a: ActionItem) => (a.issue ? `<${a.issue.url}|${u(a.issue.repository)}#${a.issue.number}>` : '');

export function exportReply(r: ExportOutcome): string {
  if (r.kind === 'exported') return `:link: “${u(r.text)}” is tracked as ${r.issue.repository}#${r.issue.number}: ${r.issue.url}`;
  const why = r.note ? `\n${r.note}` : '';
  return `:hourglass_flowing_sand: Exporting “${u(r.text)}” to ${r.repository}: the issue link is posted in the channel when GitHub has it.${why}`;
}

export function settingsText(s: FollowUpSettings): string {
  const repo = s.repository
    ? `*Repository:* ${s.repository}${s.source === 'default' ? ' (the default, `FOLLOWUPS_REPOSITORY`)' : ''}`
    : '*Repository:* none yet — an admin runs `/incident followups repo owner/name`';
  const auto = `*Export automatically when resolved:* ${s.autoExport ? 'on' : 'off'}`;
  const logins = s.logins.length
    ? `*GitHub logins:* ${s.logins.map((l) => `<@${l.userId}> → ${u(l.login)}`).join(', ')}`
    : '*GitHub logins:* none mapped (issues are left unassigned)';
  return [repo, auto, logins].join('\n');
}

function line(a: ActionItem): string {
  const state = a.done ? ':white_check_mark:' : ':ballot_box_with_check:';
  const owner = a.owner ? ` (owner <@${a.owner}>)` : '';
  const where = a.issue ? ` — ${issueLink(a)}` : a.exportPending ? ` — _exporting to ${u(a.exportPending.repository)}…_` : '';
  return clipMrkdwn(`${state} ${u(a.text)}${owner}${where}`, 2900);
}

/** The incident's follow-ups, each not yet exported with an Export to GitHub button. */
export function followUpListBlocks(
  incident: { number: number; title: string },
  actions: ActionItem[],
  settings: FollowUpSettings,
  exportable: boolean,
) {
  const header = `Follow-ups of INC-${incident.number}`;
  if (actions.length === 0) {
    return { text: `${header}: none yet. Add one with \`/incident action <text> [@owner]\`.`, blocks: undefined };
  }
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clipMrkdwn(`${header}: ${incident.title}`, 150) } },
  ];
  for (const a of actions.slice(0, 45)) {
    const button = exportable && !a.issue && !a.exportPending && settings.repository;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: line(a) },
      ...(button ? { accessory: { type: 'button', action_id: IDS.actionExport, text: { type: 'plain_text', text: 'Export to GitHub' }, value: a.id } } : {}),
    });
  }
  if (actions.length > 45) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${actions.length - 45} more` }] });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clipMrkdwn(settingsText(settings).replace(/\n/g, ' · '), 2900) }] });
  const exported = actions.filter((a) => a.issue).length;
  return { text: `${header}: ${actions.length} (${exported} in GitHub)`, blocks: fitBlocks(blocks) };
}
