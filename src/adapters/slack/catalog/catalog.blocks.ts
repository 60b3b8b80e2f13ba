import type { Catalog, ServiceInfo } from '../../../catalog/catalog.types';
import { type IncidentSignals, UNEXPLAINED } from '../../../app/incident-signals.service';
import { fitBlocks, SLACK_BLOCK_LIMITS } from '../../../shared/block-limits';
import { escapeMrkdwn as esc, truncate } from '../../../shared/text';

type Block = Record<string, unknown>;
const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const header = (text: string): Block => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, 150), emoji: true },
});

/** Lines are packed into sections of at most 3,000 characters, within the message's 50 blocks. */
function packed(lines: string[], room: number): { blocks: Block[]; shown: number } {
  const blocks: Block[] = [];
  let chunk = '';
  let shown = 0;
  for (const line of lines) {
    const clipped = truncate(line, 1500);
    if (chunk && chunk.length + 1 + clipped.length > SLACK_BLOCK_LIMITS.text) {
      if (blocks.length + 1 >= room) break;
      blocks.push(section(chunk));
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${clipped}` : clipped;
    shown++;
  }
  if (chunk) blocks.push(section(chunk));
  return { blocks, shown };
}

function serviceLine(s: ServiceInfo): string {
  const bits = [
    s.owner ? `owner *${esc(s.owner)}*` : 'no owner',
    s.tier ? `tier ${s.tier}` : undefined,
    s.system ? `system ${esc(s.system)}` : undefined,
    s.lifecycle ? esc(s.lifecycle) : undefined,
  ].filter(Boolean);
  const deps = s.dependsOn.length ? `\n      depends on ${s.dependsOn.map((d) => `\`${esc(d)}\``).join(', ')}` : '';
  const users = s.dependencyOf.length ? `\n      used by ${s.dependencyOf.map((d) => `\`${esc(d)}\``).join(', ')}` : '';
  return `• \`${esc(s.name)}\` — ${bits.join(' · ')}${deps}${users}`;
}

/** `/incident services`: every catalog service (owner, tier, dependencies), then what was wrong with the files. */
export function servicesBlocks(catalog: Catalog, root: string | undefined): { text: string; blocks: Block[] } {
  const n = catalog.services.length;
  const problems = catalog.problems;
  if (!root && n === 0) {
    const text = 'No service catalog: set `CATALOG_PATH` to a folder of Backstage `catalog-info.yaml` files.';
    return { text, blocks: [section(text)] };
  }
  const blocks: Block[] = [header(`Service catalog: ${n} service${n === 1 ? '' : 's'}`)];
  blocks.push(context(`Loaded ${catalog.loadedAt}${root ? ` from \`${esc(root)}\`` : ''}`));
  const problemLines = problems.slice(0, 20).map((p) => `• \`${esc(p.file || '(catalog)')}\`: ${esc(p.message)}`);
  const room = SLACK_BLOCK_LIMITS.messageBlocks - blocks.length - (problemLines.length ? 4 : 1);
  const listed = packed(catalog.services.map(serviceLine), room);
  blocks.push(...(n ? listed.blocks : [section('No services in the catalog yet.')]));
  if (listed.shown < n)
    blocks.push(
      context(`…and ${n - listed.shown} more services not shown (all of them: \`GET /api/v1/orgs/{org}/services\`).`),
    );
  if (problemLines.length) {
    blocks.push({ type: 'divider' });
    blocks.push(
      section(
        `:warning: *${problems.length} problem${problems.length === 1 ? '' : 's'} in the catalog files* (bad entries are skipped)`,
      ),
    );
    blocks.push(section(truncate(problemLines.join('\n'), SLACK_BLOCK_LIMITS.text)));
  }
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  const text = `Service catalog: ${plural(n, 'service')}${problems.length ? `, ${plural(problems.length, 'problem')}` : ''}`;
  return { text, blocks: fitBlocks(blocks) };
}

const RULE_LABEL: Record<string, string> = {
  fingerprint: 'same alert',
  correlation_key: 'correlation key',
  trace_id: 'trace id',
  service_window: 'same service',
  topology: 'dependency',
  auto_declare: 'opened it',
  storm: 'alert storm',
};

/** `/incident signals`: each signal with why it joined. */
export function signalsBlocks(list: IncidentSignals): { text: string; blocks: Block[] } {
  const blocks: Block[] = [header(`Signals of INC-${list.number}: ${list.total}`)];
  if (list.total === 0) {
    blocks.push(section('No signals have joined this incident.'));
    return { text: `INC-${list.number} has no signals`, blocks };
  }
  // A storm can attach thousands: the newest 100 are readable in Slack, the API has the rest.
  const lines = list.signals.slice(0, 100).map((s) => {
    const why = s.correlation
      ? `*${RULE_LABEL[s.correlation.rule] ?? s.correlation.rule}*: ${esc(s.correlation.reason)}`
      : `_${UNEXPLAINED}_`;
    const state = s.status === 'resolved' ? 'resolved' : s.risk.toLowerCase().replace('_', ' ');
    return `• *${esc(s.title)}* — \`${esc(s.service)}\` (${esc(s.environment)}), ${state}, ${esc(s.source)}\n      ${why}`;
  });
  const listed = packed(lines, SLACK_BLOCK_LIMITS.messageBlocks - 2);
  blocks.push(...listed.blocks);
  const hidden = list.total - listed.shown;
  if (hidden > 0)
    blocks.push(
      context(`…and ${hidden} older signals (all of them: \`GET /api/v1/orgs/{org}/incidents/{id}/signals\`).`),
    );
  const first = list.signals[0]?.correlation?.reason;
  return {
    text: `INC-${list.number}: ${list.total} signals${first ? ` (latest: ${first})` : ''}`,
    blocks: fitBlocks(blocks),
  };
}
