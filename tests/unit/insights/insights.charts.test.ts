import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { svgToPng } from '../../../src/adapters/charts/chart.png';
import {
  insightsPoster,
  niceTicks,
  responseChart,
  responseTable,
  weeklyChart,
  weeklyTable,
} from '../../../src/insights/insights.charts';
import { computeInsights } from '../../../src/insights/insights.compute';
import { formatDuration, insightsLines } from '../../../src/insights/insights.format';
import { DEFAULT_SLA_TARGETS } from '../../../src/insights/insights.types';
import { decodePng, inkStats } from '../../helpers/png';
import { NOW, fortyIncidents } from './insights.fixture';

const insights = (incidents = fortyIncidents()) =>
  computeInsights({
    incidents,
    window: '30d',
    now: NOW,
    viewer: { id: 'U1', role: 'admin' },
    sla: DEFAULT_SLA_TARGETS,
  });
const rects = (svg: string) => (svg.match(/<rect /g) ?? []).length;

describe('insights charts', () => {
  const r = insights();

  it.each([
    ['weekly', weeklyChart],
    ['response', responseChart],
  ])('%s chart is a non-empty, accessible, well-formed SVG', (id, chart) => {
    const svg = chart(r);
    expect(svg).toMatch(new RegExp(`^<svg [^>]*role="img" aria-labelledby="${id}-title ${id}-desc"`));
    expect(svg).toContain(`<title id="${id}-title">`);
    expect(svg).toMatch(new RegExp(`<desc id="${id}-desc">[^<]+</desc>`));
    expect(svg).not.toContain('style=');
    // resvg parses it (a malformed SVG throws) and draws ink on it.
    const { png, width, height } = svgToPng(svg);
    expect([width, height]).toEqual([720, 360]);
    expect(inkStats(png).ink).toBeGreaterThan(5_000);
    // Deterministic: the same numbers give the same bytes.
    expect(chart(insights())).toBe(svg);
  });

  it('weekly: one bar segment per non-empty (week, severity), axis labels, data table with the same counts', () => {
    const svg = weeklyChart(r);
    // background + 4 legend swatches + 4 non-empty weeks × 1 severity each
    expect(rects(svg)).toBe(1 + 4 + 4);
    expect(svg).toContain('>Incidents</text>');
    expect(svg).toContain('>Week starting (Monday, UTC)</text>');
    expect(svg).toContain('<title>11-30 SEV3: 10</title>');
    const t = weeklyTable(r);
    expect(t.columns).toEqual(['Week starting', 'SEV1', 'SEV2', 'SEV3', 'SEV4', 'Total']);
    expect(t.rows[0]).toEqual(['2026-11-02', '10', '0', '0', '0', '10']);
    expect(t.rows).toHaveLength(5);
  });

  it('response: three bars per severity with their medians, and a table of median / p90', () => {
    const svg = responseChart(r);
    expect(rects(svg)).toBe(1 + 3 + 12);
    expect(svg).toContain('<title>SEV1 MTTA: 5.5 min</title>');
    expect(svg).toContain('<title>SEV3 MTTR: no data</title>');
    expect(svg).toContain('>Median (hours)</text>');
    expect(responseTable(r).rows[0]).toEqual(['SEV1', '10', '5.5 min / 9 min', '55 min / 90 min', '2.8 h / 4.5 h']);
  });

  it('an empty window still draws axes and says so', () => {
    const empty = insights([]);
    for (const svg of [weeklyChart(empty), responseChart(empty)]) {
      expect(() => svgToPng(svg)).not.toThrow();
      expect(svg).toContain('<desc');
    }
    expect(insightsLines(empty)).toContain('Time to rollback: no rollbacks');
  });

  it('the poster stacks both charts; the test PNG decoder agrees with resvg pixel for pixel', () => {
    const svg = insightsPoster(r);
    const rendered = new Resvg(svg, { background: '#ffffff', font: { defaultFontFamily: 'DejaVu Sans' } }).render();
    const decoded = decodePng(rendered.asPng());
    expect([decoded.width, decoded.height]).toEqual([720, 720]);
    expect(decoded.channels).toBe(4);
    expect(decoded.pixels.equals(rendered.pixels)).toBe(true);
  });

  it('ticks and durations read well', () => {
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect([
      formatDuration(30_000),
      formatDuration(330_000),
      formatDuration(9_900_000),
      formatDuration(3 * 86_400_000),
    ]).toEqual(['30 s', '5.5 min', '2.8 h', '3 d']);
  });
});
