import type { GuidanceContext, RelatedIncident } from '../../../src/guidance/guidance.types';
import { parseRunbook } from '../../../src/guidance/runbook.parser';

export const PAYMENTS_MD = `# Payments API runbook

Owner: payments team. Dashboards: grafana/payments.

## Diagnosis
- Is the error rate up on every region or one?
- [safe] Check the payments dashboard for 5xx by endpoint
- Check recent deploys with \`kubectl rollout history deploy/payments\` [SAFE]

Did the card processor post an incident?

## High latency
1. [caution] Scale the payments deployment to 12 replicas
2. Flush the token cache **[dangerous]**

## Database connection errors
- [safe] Check pgbouncer pool saturation
- [dangerous] Fail over the primary database

## Contacts
- #payments-oncall
`;

export const payments = parseRunbook(PAYMENTS_MD, 'payments');

export const related: RelatedIncident[] = [
  {
    incidentId: 'i-12',
    number: 12,
    title: 'Payments latency after deploy',
    status: 'RESOLVED',
    service: 'payments',
    environment: 'prod',
    channelId: 'C012',
    createdAt: '2026-11-01T10:00:00.000Z',
    score: 5.2,
    why: ['similar title (latency)', 'same service (payments)'],
  },
];

export function context(overrides: Partial<GuidanceContext['incident']> = {}): GuidanceContext {
  return {
    incident: {
      id: 'i-42',
      number: 42,
      title: 'Payments p99 latency high',
      severity: 'SEV2',
      status: 'INVESTIGATING',
      service: 'payments',
      environment: 'prod',
      signals: [{ title: 'PaymentsHighLatency', service: 'payments', environment: 'prod' }],
      actions: [],
      timeline: ['alice declared INC-42'],
      ...overrides,
    },
    runbooks: [{ service: 'payments', runbook: payments }],
    related,
    pastActions: [
      { incidentNumber: 12, text: 'Roll back payments to the previous release', done: true },
      { incidentNumber: 12, text: 'Scale the payments deployment to 12 replicas', done: true },
    ],
  };
}
