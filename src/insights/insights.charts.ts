import { SEVERITIES, type Severity } from '../incidents/incident.types';
import { formatDuration } from './insights.format';
import type { Insights } from './insights.types';

/**
 * Server-side SVG charts, deterministic (same numbers → same bytes) and accessible: `role="img"`, a
 * `<title>` and `<desc>` referenced by `aria-labelledby`, labelled axes, and a data table (`*Table`) the page
 * shows beside each chart. Presentation attributes only (no `style`): the console's CSP forbids inline styles.
 */

export interface ChartTable {
  caption: string;
  columns: string[];
  rows: string[][];
}

export const SEVERITY_COLOURS: Record<Severity, string> = {
  SEV1: '#b91c1c',
  SEV2: '#c2410c',
  SEV3: '#a16207',
  SEV4: '#1d4ed8',
};
const INK = '#1f2937';
const GRID = '#d1d5db';
const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';
const W = 720;
const H = 360;
const PAD = { left: 64, right: 150, top: 48, bottom: 64 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (x: number) => String(Math.round(x * 10) / 10);

function text(x: number, y: number, s: string, attrs = ''): string {
  const size = attrs.includes('font-size=') ? '' : ' font-size="12"';
  const extra = attrs ? ` ${attrs}` : '';
  return `<text x="${n(x)}" y="${n(y)}" fill="${INK}" font-family="${FONT}"${size}${extra}>${esc(s)}</text>`;
}

/** A round axis maximum and its ticks (1, 2 or 5 × 10^k steps, at least 1). */
export function niceTicks(max: number, count = 5): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

function frame(id: string, title: string, desc: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" ` +
      `aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${esc(title)}</title>`,
    `<desc id="${id}-desc">${esc(desc)}</desc>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    text(PAD.left, 24, title, 'font-size="15" font-weight="bold"'),
    ...body,
    '</svg>',
  ].join('\n');
}

function yAxis(ticks: number[], label: string, fmt: (v: number) => string): string[] {
  const top = ticks[ticks.length - 1];
  const plotH = H - PAD.top - PAD.bottom;
  const out: string[] = [];
  for (const t of ticks) {
    const y = H - PAD.bottom - (t / top) * plotH;
    out.push(
      `<line x1="${PAD.left}" y1="${n(y)}" x2="${W - PAD.right}" y2="${n(y)}" stroke="${GRID}" stroke-width="1"/>`,
    );
    out.push(text(PAD.left - 8, y + 4, fmt(t), 'text-anchor="end"'));
  }
  const cy = PAD.top + plotH / 2;
  out.push(text(16, cy, label, `text-anchor="middle" transform="rotate(-90 16 ${n(cy)})"`));
  out.push(
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="${INK}"/>`,
  );
  return out;
}

function legend(items: Array<{ label: string; colour: string }>): string[] {
  return items.flatMap((it, i) => {
    const y = PAD.top + i * 20;
    return [
      `<rect x="${W - PAD.right + 16}" y="${y}" width="12" height="12" fill="${it.colour}"/>`,
      text(W - PAD.right + 34, y + 10, it.label),
    ];
  });
}

const weekLabel = (iso: string) => iso.slice(5, 10);

/** A bar with its exact value as a tooltip (`<title>`). */
const bar_ = (x: number, y: number, w: number, h: number, fill: string, label: string) =>
  `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${fill}"><title>${esc(label)}</title></rect>`;

/** Incidents per ISO week, stacked by severity. */
export function weeklyChart(r: Insights): string {
  const totals = r.perWeek.map((w) => SEVERITIES.reduce((a, s) => a + w.counts[s], 0));
  const ticks = niceTicks(Math.max(1, ...totals));
  const top = ticks[ticks.length - 1];
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, r.perWeek.length);
  const bar = Math.min(48, slot * 0.6);
  const body = [...yAxis(ticks, 'Incidents', (v) => String(v))];
  r.perWeek.forEach((w, i) => {
    const x = PAD.left + i * slot + (slot - bar) / 2;
    let y = H - PAD.bottom;
    for (const s of SEVERITIES) {
      const h = (w.counts[s] / top) * plotH;
      if (h > 0) {
        y -= h;
        const label = `${weekLabel(w.weekStart)} ${s}: ${w.counts[s]}`;
        body.push(bar_(x, y, bar, h, SEVERITY_COLOURS[s], label));
      }
    }
    body.push(text(x + bar / 2, H - PAD.bottom + 18, weekLabel(w.weekStart), 'text-anchor="middle"'));
  });
  body.push(text(PAD.left + plotW / 2, H - 16, 'Week starting (Monday, UTC)', 'text-anchor="middle"'));
  body.push(...legend(SEVERITIES.map((s) => ({ label: s, colour: SEVERITY_COLOURS[s] }))));
  const total = totals.reduce((a, b) => a + b, 0);
  return frame(
    'weekly',
    `Incidents per week by severity, last ${r.window}`,
    `${total} incidents over ${r.perWeek.length} weeks; the table below lists each week's count per severity.`,
    body,
  );
}

export function weeklyTable(r: Insights): ChartTable {
  return {
    caption: `Incidents per week by severity, last ${r.window}`,
    columns: ['Week starting', ...SEVERITIES, 'Total'],
    rows: r.perWeek.map((w) => [
      w.weekStart.slice(0, 10),
      ...SEVERITIES.map((s) => String(w.counts[s])),
      String(SEVERITIES.reduce((a, s) => a + w.counts[s], 0)),
    ]),
  };
}

const METRICS = [
  { key: 'mtta', label: 'MTTA', colour: '#0f766e' },
  { key: 'mttm', label: 'MTTM', colour: '#7c3aed' },
  { key: 'mttr', label: 'MTTR', colour: '#334155' },
] as const;

/** Median MTTA, MTTM and MTTR per severity, grouped bars, in hours. */
export function responseChart(r: Insights): string {
  const hours = (ms: number | null) => (ms === null ? 0 : ms / 3_600_000);
  const values = r.bySeverity.flatMap((s) => METRICS.map((m) => hours(s[m.key].medianMs)));
  const ticks = niceTicks(Math.max(0.1, ...values));
  const top = ticks[ticks.length - 1];
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / SEVERITIES.length;
  const bar = Math.min(36, (slot * 0.8) / METRICS.length);
  const body = [...yAxis(ticks, 'Median (hours)', (v) => String(v))];
  r.bySeverity.forEach((s, i) => {
    const x0 = PAD.left + i * slot + (slot - bar * METRICS.length) / 2;
    METRICS.forEach((m, j) => {
      const ms = s[m.key].medianMs;
      const h = (hours(ms) / top) * plotH;
      const x = x0 + j * bar;
      const label = `${s.severity} ${m.label}: ${ms === null ? 'no data' : formatDuration(ms)}`;
      body.push(bar_(x, H - PAD.bottom - h, bar - 2, h, m.colour, label));
    });
    body.push(
      text(
        PAD.left + i * slot + slot / 2,
        H - PAD.bottom + 18,
        `${s.severity} (${s.incidents})`,
        'text-anchor="middle"',
      ),
    );
  });
  body.push(text(PAD.left + plotW / 2, H - 16, 'Severity (incidents)', 'text-anchor="middle"'));
  body.push(...legend(METRICS.map((m) => ({ label: `${m.label} median`, colour: m.colour }))));
  return frame(
    'response',
    `Response times by severity, last ${r.window}`,
    'Median time to acknowledge (MTTA), mitigate (MTTM) and resolve (MTTR) per severity, in hours; ' +
      'the table below has medians and p90.',
    body,
  );
}

export function responseTable(r: Insights): ChartTable {
  const cell = (s: { medianMs: number | null; p90Ms: number | null }) =>
    `${formatDuration(s.medianMs)} / ${formatDuration(s.p90Ms)}`;
  return {
    caption: `Response times by severity, last ${r.window} (median / p90)`,
    columns: ['Severity', 'Incidents', 'MTTA', 'MTTM', 'MTTR'],
    rows: r.bySeverity.map((s) => [s.severity, String(s.incidents), cell(s.mtta), cell(s.mttm), cell(s.mttr)]),
  };
}

/** Both charts stacked in one image (the PNG posted to Slack). */
export function insightsPoster(r: Insights): string {
  const inner = (svg: string, y: number) => svg.replace('<svg ', `<svg x="0" y="${y}" `);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H}" viewBox="0 0 ${W} ${2 * H}">`,
    inner(weeklyChart(r), 0),
    inner(responseChart(r), H),
    '</svg>',
  ].join('\n');
}

export const CHART_SIZE = { width: W, height: H };
