import type { HealthRow } from '../../../app/health-grid.service';
import type { SloViolation } from '../../../app/slo-violations.service';
import type { sloDigestSummary } from '../../../app/slo.service';
import { percent } from '../../../slos/burn-rate';
import { clipMrkdwn, untrustedMrkdwn } from '../../../shared/text';
import { slackDate } from '../summary.blocks';

type Block = Record<string, unknown>;
const u = untrustedMrkdwn;

/** `checkout-availability breached since … · 7.4 % of the 28d error budget burned`. */
export function sloViolationText(v: SloViolation): string {
  const when = v.endedAt
    ? `from ${slackDate(v.startedAt)} to ${slackDate(v.endedAt, '{time}')}`
    : `since ${slackDate(v.startedAt)}`;
  const burned =
    v.budgetBurned !== undefined
      ? ` · ${percent(v.budgetBurned)} of the ${v.window ?? ''} error budget burned`.replace('  ', ' ')
      : '';
  return `\`${u(v.slo)}\` breached ${when}${v.endedAt ? '' : ' (still burning)'}${burned}`;
}

export function sloLine(violations: readonly SloViolation[]): string | undefined {
  if (!violations.length) return undefined;
  return clipMrkdwn(`:chart_with_downwards_trend: *SLOs* ${violations.map(sloViolationText).join('; ')}`, 2900);
}

/** Before the summary's closing context line, like the changes line. */
export function withSloLine<T extends { text: string; blocks: unknown[] }>(
  summary: T,
  violations: readonly SloViolation[],
): T {
  const line = sloLine(violations);
  if (!line) return summary;
  const blocks = [...summary.blocks];
  const last = blocks.length - 1;
  const at = last >= 0 && (blocks[last] as { type?: string }).type === 'context' ? last : blocks.length;
  blocks.splice(at, 0, { type: 'section', block_id: 'summary_slos', text: { type: 'mrkdwn', text: line } });
  return { ...summary, blocks: blocks.slice(0, 50) };
}

export const STATUS_COLOUR: Record<HealthRow['status'], string> = {
  healthy: ':large_green_circle:',
  at_risk: ':large_yellow_circle:',
  breached: ':red_circle:',
  unknown: ':white_circle:',
};

const pct = (x: number | undefined) => (x === undefined ? '–' : percent(Math.max(0, x)));
/** Attainment and targets need their decimals: 99.94 %, 99.9 %. */
const nines = (x: number | undefined) => (x === undefined ? '–' : `${Number((x * 100).toFixed(3))} %`);

/** One row of the grid as mrkdwn. */
export function healthRowText(teamId: string, r: HealthRow): string {
  const parts = [`${STATUS_COLOUR[r.status]} *${u(r.service)}*`];
  const who = [r.owner ? `owner ${u(r.owner)}` : undefined, r.tier ? `tier ${r.tier}` : undefined].filter(Boolean);
  if (who.length) parts.push(who.join(', '));
  for (const s of r.slos) {
    if (s.status === 'unknown' && s.attainment === undefined)
      parts.push(`SLO \`${u(s.name)}\` unknown${s.problem ? ` (${u(s.problem).slice(0, 120)})` : ''}`);
    else {
      const burn = s.burnRate === undefined ? '–' : `${s.burnRate.toFixed(1)}×`;
      const stale = s.status === 'unknown' ? ' (stale: Prometheus did not answer)' : '';
      const numbers = `${nines(s.attainment)} vs ${nines(s.target)} · budget ${pct(s.budgetRemaining)} left · burn ${burn}`;
      parts.push(`SLO \`${u(s.name)}\` ${numbers}${stale}`);
    }
  }
  if (r.watch) parts.push(`watchlist ${r.watch.status.toLowerCase().replace('_', ' ')}`);
  for (const i of r.incidents.slice(0, 3))
    parts.push(i.channelId ? `<slack://channel?team=${teamId}&id=${i.channelId}|INC-${i.number}>` : `INC-${i.number}`);
  return clipMrkdwn(parts.join(' · '), 2900);
}

/** `/incident health` and the App Home section: one row per catalog service, worst first. */
export function healthGridBlocks(
  teamId: string,
  rows: readonly HealthRow[],
  o: { problems?: number; max?: number } = {},
): Block[] {
  const max = o.max ?? 40;
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: 'Service health' } }];
  if (!rows.length) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '_No services yet: describe them in Backstage `catalog-info.yaml` files (CATALOG_PATH) and SLOs in OpenSLO files (SLOS_PATH)._',
      },
    });
    return blocks;
  }
  for (const r of rows.slice(0, max))
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: healthRowText(teamId, r) } });
  const notes = [
    ':large_green_circle: healthy · :large_yellow_circle: at risk · :red_circle: breached · :white_circle: unknown',
  ];
  if (rows.length > max) notes.push(`${rows.length - max} more: \`GET /api/v1/orgs/${teamId}/services\``);
  if (o.problems)
    notes.push(
      `${o.problems} SLO file problem${o.problems === 1 ? '' : 's'}: see \`GET /api/v1/orgs/${teamId}/slos\` or the log`,
    );
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: notes.join(' · ') }] });
  return blocks;
}

/** Rows of the grid in App Home (after a divider); nothing when there are no services. */
export const HOME_HEALTH_ROWS = 10;
export function homeHealthBlocks(
  teamId: string,
  grid: { rows: readonly HealthRow[]; sloProblems: number } | undefined,
): Block[] {
  if (!grid?.rows.length) return [];
  const blocks = healthGridBlocks(teamId, grid.rows, { problems: grid.sloProblems, max: HOME_HEALTH_ROWS });
  const ctx = blocks[blocks.length - 1] as { elements: Array<{ text: string }> };
  ctx.elements[0].text += ' · `/incident health` shows every service';
  return [{ type: 'divider' }, ...blocks];
}

/** `SLOs: 1 breached · 3 healthy · least budget left: checkout-availability 42 %`. */
export function sloDigestLine(s: Awaited<ReturnType<typeof sloDigestSummary>>): string | undefined {
  if (!s) return undefined;
  const parts = (['breached', 'at_risk', 'unknown', 'healthy'] as const)
    .filter((k) => s.counts[k] > 0)
    .map((k) => `${STATUS_COLOUR[k]} ${s.counts[k]} ${k.replace('_', ' ')}`);
  const lowest = s.lowest ? ` · least budget left: \`${u(s.lowest.slo)}\` ${pct(s.lowest.budgetRemaining)}` : '';
  return `*SLOs* ${parts.join(' · ')}${lowest}`;
}

/** The digest with its SLO line, in its time-stamp context (no extra block: the digest fills Slack's 50). */
export function withDigestSloLine<T extends { text: string; blocks: unknown[] }>(msg: T, line: string | undefined): T {
  if (!line) return msg;
  const blocks = msg.blocks.map((b) => {
    const x = b as { block_id?: string; elements?: unknown[] };
    return x.block_id === 'watch_stamp'
      ? { ...x, elements: [...(x.elements ?? []), { type: 'mrkdwn', text: line }] }
      : b;
  });
  return { ...msg, blocks, text: `${msg.text}\n${line}` };
}
