import { describe, expect, it } from 'vitest';
import { blockIssues } from '../../../src/adapters/slack-fake/slack-fake.validate';
import type { StoredChange } from '../../../src/adapters/db/changes.repo';
import { changesBlocks, changesLine, withChangesLine } from '../../../src/adapters/slack/changes/changes.blocks';

const change = (o: Partial<StoredChange> = {}): StoredChange => ({
  service: 'checkout',
  environment: 'production',
  version: 'v2.41.0',
  status: 'success',
  url: 'https://ci.example/2',
  actor: 'alice',
  startedAt: '2026-12-02T09:40:00.000Z',
  finishedAt: '2026-12-02T09:48:00.000Z',
  statusAt: '2026-12-02T09:48:00.000Z',
  source: 'github',
  externalId: 'deployment:1',
  unmapped: false,
  connectorId: 'con_1',
  ...o,
});

describe('changes blocks', () => {
  it('lists deployments and current versions as valid Block Kit; hostile text is escaped', () => {
    const hostile = change({
      service: '<!channel> svc',
      version: '<https://evil|v9>',
      actor: '<!here>',
      url: 'javascript:alert(1)',
      unmapped: true,
    });
    const m = changesBlocks({
      filter: { service: 'checkout' },
      changes: [change(), hostile],
      environments: [
        {
          service: 'checkout',
          environment: 'production',
          version: 'v2.41.0',
          deployedAt: '2026-12-02T09:48:00.000Z',
          externalId: 'deployment:1',
          source: 'github',
          url: 'https://ci.example/2',
          actor: 'alice',
          latest: { version: 'v2.42.0', status: 'failure', at: '2026-12-02T10:00:00.000Z' },
        },
      ],
    });
    expect(blockIssues(m.blocks, 'message')).toEqual([]);
    const s = JSON.stringify(m.blocks);
    expect(s).toContain('<https://ci.example/2|v2.41.0>');
    expect(s).toContain('latest v2.42.0 :x: failure');
    expect(s).toContain('unmapped service');
    expect(s).not.toMatch(/<!channel>|<!here>|<https:\/\/evil/);
    expect(changesBlocks({ filter: {}, changes: [], environments: [] }).text).toMatch(/none recorded/);
  });

  it('the summary line says version, who, how long before the first signal, with the link, above the context', () => {
    const line = changesLine([{ change: change(), before: '2026-12-02T10:00:00.000Z' }]);
    expect(line).toBe(
      '*Changes* checkout <https://ci.example/2|v2.41.0> → `production` by alice, 12 min before the first signal',
    );
    const summary = { text: 't', blocks: [{ type: 'header' }, { type: 'context', elements: [] }] };
    expect(withChangesLine(summary, []).blocks).toEqual(summary.blocks);
    const withLine = withChangesLine(summary, [
      { change: change({ status: 'in_progress', finishedAt: undefined }), before: '2026-12-02T10:00:00.000Z' },
    ]);
    expect(withLine.blocks.map((b: any) => b.type)).toEqual(['header', 'section', 'context']);
    expect(JSON.stringify(withLine.blocks[1])).toMatch(/in progress/);
  });
});
