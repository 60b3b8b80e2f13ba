import { describe, expect, it } from 'vitest';
import {
  healthGridBlocks,
  sloDigestLine,
  withDigestSloLine,
  withSloLine,
} from '../../../src/adapters/slack/slos/slo.blocks';
import { type GridSlo, healthRows } from '../../../src/slos/health-grid';
import { sloImpactLines } from '../../../src/postmortems/postmortem.impact';

const slo = (service: string, status: GridSlo['status'], e: Partial<GridSlo> = {}): GridSlo => ({
  name: `${service}-slo`,
  service,
  target: 0.999,
  window: '28d',
  status,
  ...e,
});

describe('health grid rows', () => {
  const rows = healthRows({
    services: [
      { name: 'search', owner: 'team-a', tier: 3 },
      { name: 'payments', owner: 'team-b', tier: 1 },
      { name: 'checkout', owner: 'team-c', tier: 2 },
      { name: 'ledger', tier: 2 },
    ],
    slos: [
      slo('search', 'healthy', { attainment: 0.9999, budgetRemaining: 0.9 }),
      slo('payments', 'at_risk', { budgetRemaining: 0.4 }),
      slo('ledger', 'unknown', { problem: 'Prometheus at x is unreachable' }),
      slo('orphan', 'healthy'),
    ],
    watch: [
      { service: 'checkout', environment: 'prod', status: 'AT_RISK', title: 'latency' },
      { service: 'not-in-catalog', environment: 'prod', status: 'BREACHED', title: 'x' },
    ],
    incidents: [
      {
        id: 'i1',
        number: 7,
        title: 'Checkout down',
        severity: 'SEV2',
        status: 'OPEN',
        service: 'Checkout',
        channelId: 'C7',
      },
    ],
  });

  it('colours: incident → breached, ticket → at risk, failed evaluation → unknown, else healthy; worst first', () => {
    expect(rows.map((r) => `${r.service}:${r.status}`)).toEqual([
      'checkout:breached',
      'payments:at_risk',
      'ledger:unknown',
      'search:healthy',
      'orphan:healthy',
    ]);
    expect(rows[0].reasons).toEqual(['watchlist at risk: latency', 'open incident INC-7']);
    expect(rows.find((r) => r.service === 'orphan')?.uncatalogued).toBe(true);
  });

  it('renders one section per row with its colour and the incident link', () => {
    const blocks = healthGridBlocks('T1', rows);
    const text = blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text);
    expect(text[0]).toBe(
      ':red_circle: *checkout* · owner team-c, tier 2 · watchlist at risk · <slack://channel?team=T1&id=C7|INC-7>',
    );
    expect(text[1].startsWith(':large_yellow_circle: *payments*')).toBe(true);
    expect(text[2]).toBe(
      ':white_circle: *ledger* · tier 2 · SLO `ledger-slo` unknown (Prometheus at x is unreachable)',
    );
    expect(text[3]).toContain(
      ':large_green_circle: *search* · owner team-a, tier 3 · SLO `search-slo` 99.99 % vs 99.9 % · budget 90 % left',
    );
  });
});

describe('SLO lines', () => {
  const v = {
    slo: 'checkout-availability',
    service: 'checkout',
    startedAt: '2026-12-03T10:00:00.000Z',
    endedAt: '2026-12-03T10:50:00.000Z',
    budgetBurned: 0.38,
    window: '28d',
  };
  it('summary: a section before the closing context', () => {
    const s = withSloLine({ text: 't', blocks: [{ type: 'header' }, { type: 'context' }] }, [v]);
    expect(s.blocks.map((b) => (b as { type: string }).type)).toEqual(['header', 'section', 'context']);
    expect(JSON.stringify(s.blocks[1])).toContain('38 % of the 28d error budget burned');
    expect(withSloLine({ text: 't', blocks: [] }, [])).toEqual({ text: 't', blocks: [] });
  });
  it('postmortem Impact: "consumed 38 % of the 28-day error budget"', () => {
    expect(sloImpactLines([v], (x) => x)).toEqual([
      '- **SLO checkout-availability:** breached from 2026-12-03T10:00:00.000Z to 2026-12-03T10:50:00.000Z (50m), consumed 38 % of the 28-day error budget',
    ]);
    expect(sloImpactLines([{ slo: 'x', startedAt: v.startedAt }], (x) => x)[0]).toContain('still burning when drafted');
  });
  it('digest: counts and the least budget left, in the stamp context', () => {
    const line = sloDigestLine({
      counts: { healthy: 2, at_risk: 0, breached: 1, unknown: 0 },
      lowest: { slo: 'pay', budgetRemaining: 0.42 },
    });
    expect(line).toBe(
      '*SLOs* :red_circle: 1 breached · :large_green_circle: 2 healthy · least budget left: `pay` 42 %',
    );
    const msg = withDigestSloLine(
      { text: 'd', blocks: [{ type: 'context', block_id: 'watch_stamp', elements: [{ type: 'mrkdwn', text: 'x' }] }] },
      line,
    );
    expect(JSON.stringify(msg.blocks)).toContain('least budget left');
    expect(sloDigestLine(undefined)).toBeUndefined();
  });
});
