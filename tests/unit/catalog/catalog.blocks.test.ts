import { describe, expect, it } from 'vitest';
import { assertMessageBlocks } from '../../../src/adapters/slack-fake/slack-fake.validate';
import { servicesBlocks, signalsBlocks } from '../../../src/adapters/slack/catalog/catalog.blocks';
import type { IncidentSignals } from '../../../src/app/incident-signals.service';
import { type Catalog, EMPTY_CATALOG, type ServiceInfo } from '../../../src/catalog/catalog.types';

const service = (i: number): ServiceInfo => ({
  name: `service-${i}`,
  owner: `team-${i % 7}`,
  tier: ((i % 4) + 1) as 1 | 2 | 3 | 4,
  dependsOn: Array.from({ length: i % 5 }, (_, j) => `dep-${j}`),
  dependencyOf: [],
});

describe('catalog Block Kit', () => {
  it('a large catalog with many problems stays within Slack limits and says how many are not shown', () => {
    const catalog: Catalog = {
      ...EMPTY_CATALOG,
      services: Array.from({ length: 3000 }, (_, i) => service(i)),
      problems: Array.from({ length: 60 }, (_, i) => ({
        file: `f${i}.yaml`,
        message: `bad <!channel> thing ${'x'.repeat(200)}`,
      })),
    };
    const r = servicesBlocks(catalog, '/etc/catalog');
    expect(() => assertMessageBlocks(r.blocks)).not.toThrow();
    expect(r.blocks.length).toBeLessThanOrEqual(50);
    const text = JSON.stringify(r.blocks);
    expect(text).toMatch(/more services not shown/);
    expect(text).toContain(':warning: *60 problems in the catalog files*');
    expect(text).not.toContain('<!channel>');
    expect(r.text).toBe('Service catalog: 3000 services, 60 problems');
  });

  it('without CATALOG_PATH it says how to set one up', () => {
    expect(servicesBlocks(EMPTY_CATALOG, undefined).text).toMatch(/set `CATALOG_PATH`/);
  });

  it('500 signals with hostile titles: escaped, within limits, the rest counted', () => {
    const list: IncidentSignals = {
      incidentId: 'i',
      number: 7,
      title: 'x',
      total: 2000, // a storm: the service lists the newest 500
      signals: Array.from({ length: 500 }, (_, i) => ({
        fingerprint: `fp${i}`,
        title: `<!everyone> *bold* ${'t'.repeat(140)}`,
        service: 'payments',
        environment: 'prod',
        source: 'alertmanager',
        status: i % 2 ? 'resolved' : 'firing',
        risk: 'BREACHED',
        attachedAt: '2026-12-02T08:00:00.000Z',
        lastSeenAt: '2026-12-02T08:00:00.000Z',
        ...(i % 3
          ? { correlation: { rule: 'topology' as const, reason: 'checkout depends on payments', evidence: {} } }
          : {}),
      })),
    };
    const r = signalsBlocks(list);
    expect(() => assertMessageBlocks(r.blocks)).not.toThrow();
    const text = JSON.stringify(r.blocks);
    expect(text).not.toContain('<!everyone>');
    expect(text).toContain('joined before correlation reasons were recorded');
    expect(text).toMatch(/…and \d+ older signals/);
    expect(signalsBlocks({ ...list, total: 0, signals: [] }).text).toBe('INC-7 has no signals');
  });
});
