import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/incidents/incident.decider';
import { type IncidentEvent, initialState } from '../../../src/incidents/incident.types';
import { draftPostmortem } from '../../../src/postmortems/postmortem.markdown';
import { buildTimeline } from '../../../src/postmortems/postmortem.timeline';
import { INCIDENT_ID, NAMES, ORG, fixtureInput, resolvedIncidentEvents } from '../../helpers/postmortem.fixture';

/** The postmortem of an incident whose follow-ups went to GitHub: the action items link their issues. */
describe('follow-ups in GitHub, in the postmortem', () => {
  const base = resolvedIncidentEvents();
  const last = base[base.length - 1];
  const more = (seq: number, actor: string, data: object): IncidentEvent =>
    ({ ...data, incidentId: INCIDENT_ID, orgId: ORG, seq, actor, occurredAt: '2026-11-21T11:10:00.000Z' }) as IncidentEvent;
  const events = [
    ...base,
    more(last.seq + 1, 'U_CAROL', { type: 'ACTION_EXPORT_REQUESTED', actionId: 'a1', tracker: 'github', repository: 'acme/ops' }),
    more(last.seq + 2, 'revenant', { type: 'ACTION_EXPORTED', actionId: 'a1', tracker: 'github', repository: 'acme/ops', number: 12, url: 'https://github.com/acme/ops/issues/12' }),
    more(last.seq + 3, 'github:octocat', { type: 'ACTION_RENAMED', actionId: 'a1', text: 'Add a canary stage', from: 'Add canary stage for checkout' }),
  ];

  it('lists the issue next to its action item and tells the export and rename on the timeline', () => {
    const md = draftPostmortem(fixtureInput({ incident: fold(initialState(INCIDENT_ID, ORG), events), events }));
    expect(md).toContain('- [ ] Add a canary stage — owner: Carol — [acme/ops#12](https://github.com/acme/ops/issues/12)');
    const lines = buildTimeline(events, NAMES).map((l) => l.text);
    expect(lines).toContain('Follow-up action tracked as [acme/ops#12](https://github.com/acme/ops/issues/12): “Add canary stage for checkout”.');
    expect(lines).toContain('Follow-up action renamed by github:octocat: “Add canary stage for checkout” → “Add a canary stage”.');
  });
});
