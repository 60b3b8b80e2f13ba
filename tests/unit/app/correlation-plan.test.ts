import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../../../src/adapters/slack-fake/slack-fake.client';
import { startSlackFake, type SlackFake } from '../../../src/adapters/slack-fake/slack-fake.server';
import { createCatalogService } from '../../../src/app/catalog.service';
import { autoDeclareSeverity, planSignal, topologyPolicy } from '../../../src/app/correlation-plan';
import { buildCatalog } from '../../../src/catalog/catalog.build';
import { parseCatalogFiles } from '../../../src/catalog/catalog.parser';
import { loadConfig } from '../../../src/config';
import { evolve } from '../../../src/incidents/incident.decider';
import {
  type IncidentEvent,
  type IncidentEventData,
  initialState,
  type SignalRef,
} from '../../../src/incidents/incident.types';
import { evaluateRisk } from '../../../src/signals/risk.evaluator';
import type { Signal } from '../../../src/signals/signal.types';

const NOW = new Date('2026-12-02T08:00:00.000Z');
const YAML = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: checkout, annotations: { revenant/tier: "3" } }
spec: { dependsOn: [payments] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: payments }
spec: {}
`;
const parsed = parseCatalogFiles([{ file: 'c.yaml', text: YAML }]);
const state = buildCatalog(parsed.entities, parsed.problems, NOW.toISOString());
const catalog = createCatalogService({
  current: () => state,
  reload: async () => state,
  readFile: async () => undefined,
});
const signal = (over: Partial<Signal> = {}): Signal => ({
  orgId: 'T1',
  serviceName: 'checkout',
  environment: 'prod',
  status: 'firing',
  source: 'alertmanager',
  title: 'Checkout 5xx',
  severity: 'critical',
  startsAt: NOW.toISOString(),
  fingerprint: 'fp',
  raw: {},
  ...over,
});
const noBudget = async () => ({ left: Infinity, stormId: undefined });

describe('correlation plan (what ingestion and the dry run share)', () => {
  it('CORRELATION_TOPOLOGY and its depth come from the config; off or without a catalog there is no topology', () => {
    expect(topologyPolicy({ config: loadConfig({}), catalog })).toMatchObject({ depth: 1 });
    expect(topologyPolicy({ config: loadConfig({ CORRELATION_TOPOLOGY_DEPTH: '3' }), catalog })).toMatchObject({
      depth: 3,
    });
    expect(topologyPolicy({ config: loadConfig({ CORRELATION_TOPOLOGY: 'off' }), catalog })).toBeUndefined();
    expect(topologyPolicy({ config: loadConfig({}) })).toBeUndefined();
    expect(() => loadConfig({ CORRELATION_TOPOLOGY: 'maybe' })).toThrow(/CORRELATION_TOPOLOGY/);
    expect(() => loadConfig({ CORRELATION_TOPOLOGY_DEPTH: '9' })).toThrow(
      /CORRELATION_TOPOLOGY_DEPTH: must be a whole number from 1 to 5/,
    );
  });

  it('the tier sets the severity of an auto-declared incident; an explicit page still pages', async () => {
    const settings = { autoDeclare: 'breached' as const, cap: { count: 0, windowMs: 0 }, catalog };
    const s = signal();
    expect(await planSignal(settings, s, evaluateRisk(s), [], NOW, noBudget)).toMatchObject({
      kind: 'declare',
      severity: 'SEV3',
      correlation: { rule: 'auto_declare', evidence: { tier: 3 } },
    });
    expect(autoDeclareSeverity(signal({ severity: 'page' }), evaluateRisk(signal({ severity: 'page' })), 3)).toBe(
      'SEV1',
    );
    expect(autoDeclareSeverity(s, evaluateRisk(s), undefined)).toBe('SEV2');
    const uncatalogued = signal({ serviceName: 'search' });
    expect(await planSignal(settings, uncatalogued, evaluateRisk(uncatalogued), [], NOW, noBudget)).toMatchObject({
      severity: 'SEV2',
    });
  });

  it('past the auto-declare cap: the storm incident takes it, and says why', async () => {
    const settings = { autoDeclare: 'breached' as const, cap: { count: 5, windowMs: 600_000 }, catalog };
    const s = signal();
    const plan = await planSignal(settings, s, evaluateRisk(s), [], NOW, async () => ({ left: 0, stormId: 'storm-1' }));
    expect(plan).toMatchObject({
      kind: 'attach',
      incidentId: 'storm-1',
      correlation: { rule: 'storm', reason: expect.stringMatching(/more than 5 incidents .* 10 minutes/) },
    });
  });

  it("a storm's alerts of one service share one frozen explanation; another service gets its own", async () => {
    const settings = { autoDeclare: 'breached' as const, cap: { count: 5, windowMs: 600_000 }, catalog };
    const full = async () => ({ left: 0, stormId: 'storm-1' });
    const plan = async (s: Signal) => planSignal(settings, s, evaluateRisk(s), [], NOW, full);
    const why = async (s: Signal) => {
      const p = await plan(s);
      if (p.kind !== 'attach') throw new Error(`expected attach, got ${p.kind}`);
      return p.correlation;
    };
    const a = await why(signal({ fingerprint: 'fp-a' }));
    const b = await why(signal({ fingerprint: 'fp-b' }));
    const other = await why(signal({ fingerprint: 'fp-c', serviceName: 'payments' }));
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(other.evidence.service).toBe('payments');
    expect(a.evidence.service).toBe(signal().serviceName);
    expect(Object.isFrozen(a) && Object.isFrozen(a.evidence)).toBe(true);
  });
});

describe('the log keeps why a signal first joined', () => {
  it('a repeat attach (same fingerprint) does not overwrite the first reason', () => {
    const ref = (rule: 'topology' | 'fingerprint', reason: string): SignalRef => ({
      signalId: rule,
      fingerprint: 'fp-1',
      service: 'payments',
      environment: 'prod',
      title: 'Payments 5xx',
      risk: 'BREACHED',
      status: 'firing',
      source: 'alertmanager',
      correlation: { rule, reason, evidence: {} },
    });
    const data: IncidentEventData[] = [
      {
        type: 'INCIDENT_CREATED',
        number: 1,
        title: 'Checkout',
        severity: 'SEV2',
        channelName: 'inc-1',
        source: 'auto',
      },
      { type: 'SIGNAL_ATTACHED', signal: ref('topology', 'checkout depends on payments') },
      { type: 'SIGNAL_RESOLVED', fingerprint: 'fp-1' },
      { type: 'SIGNAL_ATTACHED', signal: ref('fingerprint', 'the same alert is already attached') },
    ];
    const s = data.reduce(
      (st, d, i) =>
        evolve(st, {
          ...d,
          incidentId: 'i1',
          orgId: 'T1',
          seq: i + 1,
          actor: 'x',
          occurredAt: new Date(NOW.getTime() + i * 1000).toISOString(),
        } as IncidentEvent),
      initialState('i1', 'T1'),
    );
    expect(s.signals).toHaveLength(1);
    expect(s.signals[0]).toMatchObject({
      status: 'firing',
      correlation: { rule: 'topology', reason: 'checkout depends on payments' },
    });
    // An event written before reasons were recorded: the signal simply has none (shown as such).
    const old = evolve(initialState('i2', 'T1'), {
      ...data[0],
      incidentId: 'i2',
      orgId: 'T1',
      seq: 1,
      actor: 'x',
      occurredAt: NOW.toISOString(),
    } as IncidentEvent);
    const legacy = { ...ref('topology', 'x') };
    delete legacy.correlation;
    const s2 = evolve(old, {
      type: 'SIGNAL_ATTACHED',
      signal: legacy,
      incidentId: 'i2',
      orgId: 'T1',
      seq: 2,
      actor: 'x',
      occurredAt: NOW.toISOString(),
    } as IncidentEvent);
    expect(s2.signals[0].correlation).toBeUndefined();
  });
});

describe('Slack fake: usergroups.users.list', () => {
  let fake: SlackFake;
  let client: WebClient;
  beforeAll(async () => {
    fake = await startSlackFake();
    client = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quietLogger });
    fake.addUsergroup({ id: 'S0ONE', handle: 'one', name: 'One', users: ['U0001', 'U0002'] });
    fake.addUsergroup({ id: 'S0OFF', handle: 'off', name: 'Off', users: ['U0003'], disabled: true });
  });
  afterAll(async () => fake?.close());
  const error = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: WebAPIPlatformError) => e.data?.error,
    );

  it('answers like Slack: the users, no_such_subteam, invalid_arguments without an id', async () => {
    expect((await client.usergroups.users.list({ usergroup: 'S0ONE' })).users).toEqual(['U0001', 'U0002']);
    expect(await error(client.usergroups.users.list({ usergroup: 'S0NONE' }))).toBe('no_such_subteam');
    expect(await error(client.usergroups.users.list({ usergroup: 'S0OFF' }))).toBe('no_such_subteam');
    expect((await client.usergroups.users.list({ usergroup: 'S0OFF', include_disabled: true })).users).toEqual([
      'U0003',
    ]);
    expect(await error(client.apiCall('usergroups.users.list', {}))).toBe('invalid_arguments');
    const list = await client.usergroups.list({ include_users: true });
    expect(list.usergroups?.map((g) => [g.id, g.handle, g.users])).toEqual([['S0ONE', 'one', ['U0001', 'U0002']]]);
  });
});
