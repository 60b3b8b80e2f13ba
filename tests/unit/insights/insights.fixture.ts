import type { IncidentEvent, IncidentEventData, Severity } from '../../../src/incidents/incident.types';

/**
 * 40 incidents whose insights are worked out by hand in insights.compute.test.ts. "Now" is Wednesday
 * 2026-12-02 12:00 UTC; the 30-day window starts Monday 2026-11-02 12:00 UTC. Times are minutes after
 * each declaration. Group by group:
 *  A  10 × SEV1 `api`, declared by a connector on Nov 3 (+i h): ack i min, mitigated 10·i, resolved 30·i; PR for i ≤ 5;
 *     one follow-up each, done for even i.
 *  B  10 × SEV2 `db`, declared by U100 on Nov 10 (+2i h): ack 2·i, resolved 60·i (never marked mitigated); PR for i ≤ 2;
 *     B1 declared SEV3 and raised to SEV2.
 *  C  10 × SEV3 `web`, declared by U100 on Dec 1 (12:00 − i h), still open: odd i acknowledged at 30·i by U200; even i
 *     only bot and API-token events (never acknowledged); one follow-up each, done for i ≤ 3, C1's reopened.
 *  D   6 × SEV4 `queue`, connector on Nov 17 (+i h): ack 60·i, mitigated 120·i, resolved 1000·i; D1 has a PR (SEV4:
 *     not counted); rollbacks: D1 requested +100 completed +112, D2 requested +200 completed +230, D3 requested
 *     +300 and never completed.
 *  E   2 × SEV1 `api` on Nov 24, cancelled at +5 (one follow-up, done): only in `declared`/`cancelled`.
 *  F   2 × SEV2 `db` on Oct 20 (outside 30 d, inside 90 d): ack 5, resolved 60.
 */
export const NOW = new Date('2026-12-02T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

type Step = [minutes: number, actor: string, data: IncidentEventData];

let counter = 0;
let org = 'T1';
export function incident(o: {
  id?: string;
  severity: Severity;
  service: string;
  createdAt: number;
  by: string;
  steps: Step[];
  extra?: Partial<IncidentEventData>;
}): IncidentEvent[] {
  counter += 1;
  const id = o.id ?? `inc-${counter}`;
  const created = {
    type: 'INCIDENT_CREATED',
    number: counter,
    title: `Incident ${counter}`,
    severity: o.severity,
    service: o.service,
    channelName: `inc-${counter}`,
    source: o.by.startsWith('connector:') ? 'auto' : 'manual',
    ...o.extra,
  } as IncidentEventData;
  // The bot's bookkeeping right after every declaration: never an acknowledgement.
  const bookkeeping: Step[] = [
    [0, 'revenant', { type: 'CHANNEL_LINKED', channelId: `C${counter}`, channelName: `inc-${counter}` }],
    [0, 'revenant', { type: 'SUMMARY_POSTED', ts: `${counter}.0001` }],
  ];
  const first: Step = [0, o.by, created];
  const all: Step[] = [first, ...bookkeeping, ...o.steps].sort((a, b) => a[0] - b[0]);
  return all.map(([m, actor, data], i) => ({
    ...data,
    incidentId: id,
    orgId: org,
    seq: i + 1,
    actor,
    occurredAt: new Date(o.createdAt + m * MIN).toISOString(),
  })) as IncidentEvent[];
}

const status = (from: string, to: string) => ({ type: 'STATUS_CHANGED', from, to }) as IncidentEventData;
const note = (text: string): IncidentEventData => ({ type: 'NOTE_ADDED', text });
const action = (id: string): IncidentEventData => ({ type: 'ACTION_ADDED', actionId: id, text: `follow-up ${id}` });
const done = (id: string): IncidentEventData => ({ type: 'ACTION_COMPLETED', actionId: id });
const pr = (n: number): IncidentEventData => ({
  type: 'POSTMORTEM_PR_OPENED',
  number: n,
  url: `https://github.example/pr/${n}`,
  branch: `postmortem/incident-${n}`,
});
const requested = (id: string): IncidentEventData => ({
  type: 'ROLLBACK_REQUESTED',
  rollbackId: id,
  service: 'queue',
  environment: 'production',
  fromVersion: 'v2',
  toVersion: 'v1',
  target: { kind: 'deploy_hook', url: 'https://deploy.example/hook' },
});
const completed = (id: string, durationMs: number): IncidentEventData => ({
  type: 'ROLLBACK_COMPLETED',
  rollbackId: id,
  service: 'queue',
  environment: 'production',
  fromVersion: 'v2',
  toVersion: 'v1',
  version: 'v1',
  durationMs,
});

/** The 40 logs; `orgId` for seeding a workspace in integration tests. */
export function fortyIncidents(orgId = 'T1'): IncidentEvent[][] {
  counter = 0;
  org = orgId;
  const out: IncidentEvent[][] = [];
  const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);
  for (const i of range(10))
    out.push(
      incident({
        severity: 'SEV1',
        service: 'api',
        createdAt: Date.parse('2026-11-03T00:00:00Z') + i * HOUR,
        by: 'connector:c1',
        steps: [
          [0, 'connector:c1', { type: 'SIGNAL_ATTACHED', signal: signal(i) }],
          [i, 'U300', { type: 'ASSIGNEE_CHANGED', role: 'commander', userId: 'U300' }],
          [i + 0.5, 'U300', action(`a${i}`)],
          ...(i % 2 === 0 ? ([[i + 0.7, 'U300', done(`a${i}`)]] as Step[]) : []),
          [10 * i, 'U300', status('OPEN', 'MITIGATED')],
          [30 * i, 'U300', status('MITIGATED', 'RESOLVED')],
          ...(i <= 5 ? ([[30 * i + 1, 'U300', pr(i)]] as Step[]) : []),
        ],
      }),
    );
  for (const i of range(10))
    out.push(
      incident({
        severity: i === 1 ? 'SEV3' : 'SEV2',
        service: 'db',
        createdAt: Date.parse('2026-11-10T00:00:00Z') + 2 * i * HOUR,
        by: 'U100',
        steps: [
          // A token (automation through the API) right away: not an acknowledgement.
          [0.5, 'token:ci', note('automated context')],
          [2 * i, 'U100', note('looking')],
          ...(i === 1 ? ([[3, 'U100', { type: 'SEVERITY_UPDATED', from: 'SEV3', to: 'SEV2' }]] as Step[]) : []),
          [60 * i, 'U100', status('OPEN', 'RESOLVED')],
          ...(i <= 2 ? ([[60 * i + 1, 'U100', pr(100 + i)]] as Step[]) : []),
        ],
      }),
    );
  for (const i of range(10))
    out.push(
      incident({
        severity: 'SEV3',
        service: 'web',
        createdAt: Date.parse('2026-12-01T12:00:00Z') - i * HOUR,
        by: 'U100',
        steps: [
          [0.1, 'token:ci', action(`c${i}`)],
          ...(i <= 3 ? ([[0.2, 'token:ci', done(`c${i}`)]] as Step[]) : []),
          ...(i === 1 ? ([[0.3, 'token:ci', { type: 'ACTION_REOPENED', actionId: 'c1' }]] as Step[]) : []),
          ...(i % 2 === 1 ? ([[30 * i, 'U200', status('OPEN', 'INVESTIGATING')]] as Step[]) : []),
        ],
      }),
    );
  for (const i of range(6))
    out.push(
      incident({
        severity: 'SEV4',
        service: 'queue',
        createdAt: Date.parse('2026-11-17T00:00:00Z') + i * HOUR,
        by: 'connector:c2',
        steps: [
          [60 * i, 'U400', status('OPEN', 'INVESTIGATING')],
          ...(i === 1
            ? ([
                [100, 'U400', requested('r1')],
                [112, 'revenant', completed('r1', 12 * MIN)],
              ] as Step[])
            : []),
          ...(i === 2
            ? ([
                [200, 'U400', requested('r2')],
                [230, 'revenant', completed('r2', 30 * MIN)],
              ] as Step[])
            : []),
          // A rollback asked for and never completed is no time to rollback.
          ...(i === 3 ? ([[300, 'U400', requested('r3')]] as Step[]) : []),
          [120 * i, 'U400', status('INVESTIGATING', 'MITIGATED')],
          [1000 * i, 'U400', status('MITIGATED', 'RESOLVED')],
          ...(i === 1 ? ([[1001, 'U400', pr(200)]] as Step[]) : []),
        ],
      }),
    );
  for (const i of range(2))
    out.push(
      incident({
        severity: 'SEV1',
        service: 'api',
        createdAt: Date.parse('2026-11-24T00:00:00Z') + i * HOUR,
        by: 'U100',
        steps: [
          [1, 'U100', action(`e${i}`)],
          [2, 'U100', done(`e${i}`)],
          [5, 'U100', status('OPEN', 'CANCELLED')],
        ],
      }),
    );
  for (const i of range(2))
    out.push(
      incident({
        severity: 'SEV2',
        service: 'db',
        createdAt: Date.parse('2026-10-20T00:00:00Z') + i * HOUR,
        by: 'U100',
        steps: [
          [5, 'U100', note('on it')],
          [60, 'U100', status('OPEN', 'RESOLVED')],
        ],
      }),
    );
  return out;
}

function signal(i: number) {
  return {
    signalId: `s${i}`,
    fingerprint: `fp${i}`,
    service: 'api',
    environment: 'prod',
    title: 'High error rate',
    risk: 'BREACHED' as const,
    status: 'firing' as const,
    source: 'alertmanager',
  };
}
