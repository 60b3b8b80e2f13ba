import { describe, expect, it } from 'vitest';
import { deploymentsHomeBlocks } from '../../../src/adapters/slack/changes/changes-home.blocks';
import { changesBlocks, withChangesLine } from '../../../src/adapters/slack/changes/changes.blocks';
import { rollbackLine } from '../../../src/adapters/slack/rollback/rollback.blocks';
import type { StoredChange } from '../../../src/adapters/db/changes.repo';
import { suspectAction, withSuspectFirst } from '../../../src/guidance/guidance.suspect';
import { changesSection } from '../../../src/postmortems/postmortem.changes';
import type { RollbackItem } from '../../../src/incidents/rollback.decider';

const change: StoredChange = {
  service: 'checkout',
  environment: 'production',
  version: 'v1.4.2',
  status: 'success',
  url: 'https://ci.example/runs/9',
  actor: 'alice',
  startedAt: '2026-12-02T09:40:00.000Z',
  finishedAt: '2026-12-02T09:48:00.000Z',
  statusAt: '2026-12-02T09:48:00.000Z',
  source: 'changes',
  externalId: 'run-9',
  unmapped: false,
  connectorId: 'con_1',
};
const rollback: RollbackItem = {
  id: 'rb1',
  service: 'checkout',
  environment: 'production',
  fromVersion: 'v1.4.2',
  toVersion: 'v1.4.1',
  target: { kind: 'deploy_hook', url: 'https://d.example/h' },
  requestedBy: 'U0001',
  requestedAt: '2026-12-02T10:01:00.000Z',
  status: 'started',
};

describe('suspect change first in guidance', () => {
  const fact = {
    service: 'checkout',
    environment: 'production',
    version: 'v1.4.2',
    previousVersion: 'v1.4.1',
    minutesBefore: 12.4,
    status: 'success',
    rollbackConfigured: true,
  };
  it('is the rollback step, from → to and how long before, with the Roll back button when configured', () => {
    expect(suspectAction(fact)).toEqual({
      text: 'Roll back checkout v1.4.2 → v1.4.1 in production, deployed 12 min before the first alert',
      safety: 'caution',
      source: { kind: 'change', service: 'checkout', environment: 'production', version: 'v1.4.2' },
      rollback: { service: 'checkout', environment: 'production' },
    });
    expect(suspectAction({ ...fact, rollbackConfigured: false }).rollback).toBeUndefined();
  });
  it('without an earlier good version (or for a failed deployment) it asks to check the deployment', () => {
    expect(suspectAction({ ...fact, previousVersion: undefined }).text).toBe(
      'Check the deployment of checkout v1.4.2 to production (success), deployed 12 min before the first alert',
    );
    expect(suspectAction({ ...fact, status: 'in_progress', minutesBefore: 75 }).text).toMatch(
      /\(in progress\), deployed 1 h 15 min before/,
    );
  });
  it('goes first, ahead of runbook steps, once', () => {
    const g = {
      generator: 'deterministic' as const,
      questions: [],
      related: [],
      actions: [
        { text: 'Restart pods', safety: 'caution' as const, source: { kind: 'model' as const } },
        { ...suspectAction(fact) },
      ],
    };
    const out = withSuspectFirst(g, fact);
    expect(out.actions.map((a) => a.text)).toEqual([suspectAction(fact).text, 'Restart pods']);
    expect(withSuspectFirst(g, undefined)).toBe(g);
  });
});

describe('summary Changes line, rollback line, App Home, postmortem', () => {
  const summary = { text: 'INC-1', blocks: [{ type: 'header' }, { type: 'context', elements: [] }] };
  const suspects = [{ change, before: '2026-12-02T10:00:00.000Z' }];

  it('the Changes line carries the Roll back button, none while a rollback of that environment runs', () => {
    const out = withChangesLine(summary, suspects, { incidentId: 'inc-1', rollbacks: [] });
    const line = out.blocks[1] as any;
    expect(line.text.text).toMatch(/12 min before the first signal/);
    expect(line.accessory).toMatchObject({
      action_id: 'rollback_open',
      value: JSON.stringify({ v: 1, i: 'inc-1', s: 'checkout', e: 'production' }),
    });
    expect((out.blocks.at(-1) as any).type).toBe('context');
    const running = withChangesLine(summary, suspects, { incidentId: 'inc-1', rollbacks: [rollback] });
    expect((running.blocks[1] as any).accessory).toBeUndefined();
    expect((running.blocks[2] as any).text.text).toBe(
      '*Rollback* checkout `production` v1.4.2 → v1.4.1: :arrows_counterclockwise: in progress (asked by <@U0001>)',
    );
  });

  it('`/incident changes` in an incident channel offers Roll back per environment of its service', () => {
    const env = {
      service: 'checkout',
      environment: 'production',
      version: 'v1',
      deployedAt: change.statusAt,
      externalId: 'x',
      source: 's',
      url: '',
      actor: 'a',
    };
    const other = { ...env, service: 'search' };
    const view = { filter: { service: 'checkout' }, changes: [change], environments: [env, other] };
    const actions = (
      changesBlocks({ ...view, rollbackFor: { incidentId: 'inc-1', service: 'checkout' } }).blocks as any[]
    ).find((b) => b.type === 'actions');
    expect(actions.elements.map((e: any) => [e.action_id, e.text.text, JSON.parse(e.value).e])).toEqual([
      ['rollback_open', 'Roll back production', 'production'],
    ]);
    expect((changesBlocks(view).blocks as any[]).some((b) => b.type === 'actions')).toBe(false);
  });

  it('the rollback line follows each status', () => {
    expect(rollbackLine([{ ...rollback, status: 'completed', durationMs: 95_000 }])).toMatch(
      /:white_check_mark: done in 1 min 35 s/,
    );
    expect(rollbackLine([{ ...rollback, status: 'failed', reason: 'HTTP 401 <x>' }])).toMatch(
      /:x: failed: HTTP 401 &lt;x&gt;/,
    );
    expect(rollbackLine([])).toBeUndefined();
  });

  it('App Home lists environments (a failed latest first) and the latest deployments; nothing before any', () => {
    expect(deploymentsHomeBlocks({ environments: [], recent: [] })).toEqual([]);
    const env = (service: string, latest?: 'failure') => ({
      service,
      environment: 'production',
      version: 'v1',
      deployedAt: '2026-12-02T09:00:00.000Z',
      externalId: service,
      source: 'changes',
      url: '',
      actor: 'a',
      ...(latest ? { latest: { version: 'v2', status: latest, at: '2026-12-02T09:30:00.000Z' } } : {}),
    });
    const blocks = deploymentsHomeBlocks({
      environments: [env('api'), env('search', 'failure')],
      recent: [change],
    }) as any[];
    const envs = blocks.find((b) => b.block_id === 'home_deploys_envs').text.text as string;
    expect(envs.indexOf('*search*')).toBeLessThan(envs.indexOf('*api*'));
    expect(envs).toMatch(/latest v2 :x: failure/);
    expect(blocks.find((b) => b.block_id === 'home_deploys_recent').text.text).toMatch(
      /checkout\* <https:\/\/ci.example\/runs\/9\|v1.4.2>/,
    );
  });

  it('the postmortem Changes section lists deployments oldest first, suspects marked', () => {
    const lines = changesSection([
      {
        service: 'checkout',
        environment: 'production',
        version: 'v1.4.1',
        status: 'success',
        actor: 'bot',
        at: '2026-12-02T10:20:00.000Z',
        minutesBefore: -20,
      },
      {
        service: 'checkout',
        environment: 'production',
        version: 'v1.4.2',
        status: 'success',
        actor: 'alice',
        at: '2026-12-02T09:48:00.000Z',
        url: 'https://ci.example/runs/9',
        minutesBefore: 12,
      },
    ]);
    expect(lines).toEqual([
      '## Changes',
      '',
      '- `2026-12-02 09:48:00 UTC` — checkout [v1.4.2](https://ci.example/runs/9) → production: success, by alice, 12 min before the first signal (suspect)',
      '- `2026-12-02 10:20:00 UTC` — checkout v1.4.1 → production: success, by bot, 20 min after the first signal',
      '',
    ]);
    expect(changesSection([])).toEqual([]);
  });
});
