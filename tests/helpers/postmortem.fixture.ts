import { fold } from '../../src/incidents/incident.decider';
import { type IncidentEvent, type IncidentEventData, initialState } from '../../src/incidents/incident.types';
import type { PostmortemInput } from '../../src/postmortems/postmortem.markdown';

export const INCIDENT_ID = 'inc_01HX';
export const ORG = 'T001';

let seq = 0;
const ev = (at: string, actor: string, data: IncidentEventData): IncidentEvent => ({
  ...data,
  incidentId: INCIDENT_ID,
  orgId: ORG,
  seq: ++seq,
  actor,
  occurredAt: `2026-11-21T${at}.000Z`,
});

/**
 * A SEV3 checkout incident: declared 10:00, alert attached 10:01, escalated to SEV1, mitigated
 * 10:47, resolved 11:05 — so 47m to mitigate and 1h 05m to resolve.
 */
export function resolvedIncidentEvents(): IncidentEvent[] {
  seq = 0;
  const signal = {
    signalId: 'sig1',
    fingerprint: 'fp1',
    service: 'checkout',
    environment: 'production',
    title: 'Checkout error rate 7%',
    risk: 'BREACHED' as const,
    status: 'firing' as const,
    source: 'alertmanager',
  };
  const created = ev('10:00:00', 'U_ALICE', {
    type: 'INCIDENT_CREATED',
    number: 42,
    title: 'Checkout errors after deploy',
    severity: 'SEV3',
    service: 'checkout',
    environment: 'production',
    channelName: 'inc-42-checkout-errors-after-deploy',
    source: 'manual',
  });
  return [
    created,
    ev('10:01:00', 'connector:am', { type: 'SIGNAL_ATTACHED', signal }),
    ev('10:03:10', 'system', { type: 'CHANNEL_LINKED', channelId: 'C42', channelName: 'inc-42-checkout-errors-after-deploy' }),
    ev('10:04:00', 'U_ALICE', { type: 'ASSIGNEE_CHANGED', role: 'commander', userId: 'U_BOB' }),
    ev('10:10:00', 'U_BOB', { type: 'SEVERITY_UPDATED', from: 'SEV3', to: 'SEV1' }),
    ev('10:12:00', 'U_BOB', { type: 'STATUS_CHANGED', from: 'OPEN', to: 'INVESTIGATING' }),
    ev('10:20:00', 'U_CAROL', { type: 'NOTE_ADDED', text: 'Error spike lines up with <@U_ALICE> deploy\nof v2.3 at 09:58' }),
    ev('10:47:00', 'U_BOB', { type: 'STATUS_CHANGED', from: 'INVESTIGATING', to: 'MITIGATED', message: 'Rolled back to v2.2' }),
    ev('10:50:00', 'U_CAROL', { type: 'ACTION_ADDED', actionId: 'a1', text: 'Add canary stage for checkout', owner: 'U_CAROL' }),
    ev('10:51:00', 'U_BOB', { type: 'ACTION_ADDED', actionId: 'a2', text: 'Alert on checkout error rate per version' }),
    ev('11:00:00', 'U_CAROL', { type: 'ACTION_COMPLETED', actionId: 'a2' }),
    ev('11:02:00', 'connector:am', { type: 'SIGNAL_RESOLVED', fingerprint: 'fp1' }),
    ev('11:05:00', 'U_BOB', { type: 'STATUS_CHANGED', from: 'MITIGATED', to: 'RESOLVED' }),
  ];
}

export const NAMES = { U_ALICE: 'Alice', U_BOB: 'Bob', U_CAROL: 'Carol', 'connector:am': 'Alertmanager', system: 'Revenant' };

export function fixtureInput(overrides: Partial<PostmortemInput> = {}): PostmortemInput {
  const events = resolvedIncidentEvents();
  return {
    incident: fold(initialState(INCIDENT_ID, ORG), events),
    events,
    userNames: NAMES,
    links: { channelUrl: 'https://acme.slack.com/archives/C42', alertLinks: ['https://alerts.example.com/fp1'] },
    now: '2026-11-21T12:00:00.000Z',
    ...overrides,
  };
}
