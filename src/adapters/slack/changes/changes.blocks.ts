import type { EnvironmentVersion } from '../../../changes/change.fold';
import type { ChangeStatus } from '../../../changes/change.types';
import { truncate } from '../../../signals/normalisers/normaliser.helpers';
import type { StoredChange } from '../../db/changes.repo';
import { isRunning, type RollbackItem } from '../../../incidents/rollback.decider';
import { rollbackButton, rollbackLine } from '../rollback/rollback.blocks';

/** Pure Block Kit for `/incident changes`: recent deployments and each environment's current version. */

const STATUS_ICON: Record<ChangeStatus, string> = {
  queued: ':hourglass:',
  in_progress: ':arrows_counterclockwise:',
  success: ':white_check_mark:',
  failure: ':x:',
  cancelled: ':no_entry_sign:',
};

/** Slack mrkdwn: `&`, `<` and `>` must be escaped in text we did not write. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const link = (url: string, label: string) =>
  /^https?:\/\//i.test(url) ? `<${url.replace(/[<>|]/g, '')}|${esc(label)}>` : esc(label);
const when = (iso: string) =>
  `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso.slice(0, 16).replace('T', ' ')} UTC>`;

export function changeLine(c: StoredChange): string {
  const version = link(c.url, c.version);
  const flags = c.unmapped ? ' _(unmapped service)_' : '';
  return truncate(
    `${STATUS_ICON[c.status]} *${esc(c.service)}* ${version} → \`${esc(c.environment)}\` ${c.status.replace('_', ' ')} · ${esc(c.actor)} · ${when(c.finishedAt ?? c.statusAt)}${flags}`,
    2900,
  );
}

export function environmentLine(e: EnvironmentVersion): string {
  const latest =
    e.latest && e.latest.status !== 'success'
      ? ` · latest ${esc(e.latest.version)} ${STATUS_ICON[e.latest.status]} ${e.latest.status.replace('_', ' ')}`
      : '';
  return `*${esc(e.service)}* \`${esc(e.environment)}\`: ${link(e.url, e.version)} since ${when(e.deployedAt)}${latest}`;
}

export interface ChangesView {
  filter: { service?: string; environment?: string };
  changes: StoredChange[];
  environments: EnvironmentVersion[];
  /** In an incident channel: a Roll back button per environment of this service. */
  rollbackFor?: { incidentId: string; service: string };
}

const MAX_LINES = 20;

export function changesBlocks(v: ChangesView): { text: string; blocks: unknown[] } {
  const scope = [v.filter.service, v.filter.environment]
    .filter(Boolean)
    .map((s) => `\`${esc(s!)}\``)
    .join(' in ');
  const title = `Recent changes${scope ? ` to ${scope}` : ''}`;
  if (v.changes.length === 0) {
    const text = `${title}: none recorded. Connect GitHub, GitLab, Argo CD or a CI job with \`/incident connector add github\` (see docs/changes.md).`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const lines = v.changes.slice(0, MAX_LINES).map(changeLine);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title.replace(/`/g, ''), 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 3000) } },
  ];
  if (v.environments.length) {
    const envs = v.environments.slice(0, MAX_LINES).map(environmentLine);
    blocks.push(
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Current versions*\n${envs.join('\n')}`, 3000) } },
    );
    const rb = v.rollbackFor;
    const mine = rb ? v.environments.filter((e) => e.service === rb.service).slice(0, 5) : [];
    if (rb && mine.length)
      blocks.push({
        type: 'actions',
        elements: mine.map((e) =>
          rollbackButton({ incidentId: rb.incidentId, service: e.service, environment: e.environment }, truncate(`Roll back ${e.environment}`, 75)),
        ),
      });
  }
  return { text: `${title}: ${v.changes.length} deployment(s)`, blocks };
}

export interface SuspectChange {
  change: StoredChange;
  /** The incident's first signal. */
  before: string;
  /** A service the incident's service depends on (the catalog), not the incident's own. */
  dependency?: boolean;
}

function ago(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** "*Changes* checkout v2.41.0 → production by alice, 12 min before the first signal (success)". */
export function changesLine(suspects: readonly SuspectChange[]): string | undefined {
  if (suspects.length === 0) return undefined;
  const parts = suspects.slice(0, 3).map(({ change: c, before, dependency }) => {
    const at = c.finishedAt ?? c.statusAt;
    const status = c.status === 'success' ? '' : ` (${STATUS_ICON[c.status]} ${c.status.replace('_', ' ')})`;
    return `${esc(c.service)}${dependency ? ' _(dependency)_' : ''} ${link(c.url, c.version)} → \`${esc(c.environment)}\` by ${esc(c.actor)}, ${ago(Date.parse(before) - Date.parse(at))} before the first signal${status}`;
  });
  const more = suspects.length > 3 ? ` and ${suspects.length - 3} more` : '';
  return truncate(`*Changes* ${parts.join('; ')}${more}`, 2900);
}

/** What else the summary's Changes part shows: the Roll back button and the rollbacks asked for. */
export interface ChangesExtras {
  incidentId: string;
  rollbacks: readonly RollbackItem[];
}

/** Inserts the Changes line (with a Roll back button for the suspect) and the rollback line above the closing context. */
export function withChangesLine<T extends { text: string; blocks: unknown[] }>(
  summary: T,
  suspects: readonly SuspectChange[],
  extras?: ChangesExtras,
): T {
  const line = changesLine(suspects);
  const rollback = extras && rollbackLine(extras.rollbacks);
  if (!line && !rollback) return summary;
  const blocks = [...summary.blocks];
  const last = blocks.length - 1;
  const at = last >= 0 && (blocks[last] as { type?: string }).type === 'context' ? last : blocks.length;
  const added: unknown[] = [];
  if (line) {
    const top = suspects[0]?.change;
    const running = extras?.rollbacks.some((r) => isRunning(r) && r.service === top?.service && r.environment === top?.environment);
    const button =
      extras && top && !running
        ? { accessory: rollbackButton({ incidentId: extras.incidentId, service: top.service, environment: top.environment }) }
        : {};
    added.push({ type: 'section', text: { type: 'mrkdwn', text: line }, ...button });
  }
  if (rollback) added.push({ type: 'section', text: { type: 'mrkdwn', text: rollback } });
  blocks.splice(at, 0, ...added);
  return { ...summary, blocks: blocks.slice(0, 50) };
}
