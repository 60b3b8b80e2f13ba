import { describe, expect, it } from 'vitest';
import { fold } from '../../src/incidents/incident.decider';
import { type IncidentEvent, initialState } from '../../src/incidents/incident.types';
import { buildNarrativePrompt, parseNarrative, redactSecrets } from '../../src/postmortems/postmortem.narrative';
import { INCIDENT_ID, NAMES, ORG, fixtureInput, resolvedIncidentEvents } from '../helpers/postmortem.fixture';

const good = { summary: 'A deploy raised errors.', rootCause: 'Bad default.', wentWell: ['Fast rollback'], wentPoorly: ['No canary'] };

describe('buildNarrativePrompt', () => {
  it('carries the incident facts and the whole timeline, with names', () => {
    const { incident, events } = fixtureInput();
    const p = buildNarrativePrompt({ incident, events, userNames: NAMES, related: [{ number: 7, title: 'Checkout 500s' }] });
    expect(p.version).toMatch(/^postmortem-narrative\/v\d+$/);
    expect(p.system).toMatch(/JSON/);
    expect(p.system).toMatch(/blameless/);
    expect(p.user).toContain('Incident: INC-42 — Checkout errors after deploy');
    expect(p.user).toContain('Time to mitigate: 47m');
    expect(p.user).toContain('Time to resolve: 1h 05m');
    expect(p.user).toContain('2026-11-21 10:47:00 UTC  Status changed from investigating to mitigated by Bob: “Rolled back to v2.2”.');
    expect(p.user).toContain('- [open] Add canary stage for checkout (owner Carol)');
    expect(p.user).toContain('- INC-7: Checkout 500s');
    expect(p.user).not.toContain('U_BOB'); // names, not ids
  });

  it('never sends secrets pasted into the incident', () => {
    const events: IncidentEvent[] = [
      ...resolvedIncidentEvents(),
      {
        type: 'NOTE_ADDED',
        text: 'tried with xoxb-1234567890-abcdefghij and ghp_abcdefghijklmnopqrstuvwxyz0123 and password=hunter2hunter2, Authorization: Bearer abc.def.ghijklmnopqrs',
        incidentId: INCIDENT_ID,
        orgId: ORG,
        seq: 99,
        actor: 'U_BOB',
        occurredAt: '2026-11-21T11:06:00.000Z',
      },
    ];
    const p = buildNarrativePrompt({ incident: fold(initialState(INCIDENT_ID, ORG), events), events, userNames: NAMES });
    for (const secret of ['xoxb-1234567890', 'ghp_abcdef', 'hunter2', 'abc.def.ghijklmnopqrs']) expect(p.user).not.toContain(secret);
    expect(p.user).toContain('[redacted]');
  });

  it('cuts very long timelines in the middle', () => {
    const base = resolvedIncidentEvents();
    const notes: IncidentEvent[] = Array.from({ length: 400 }, (_, i) => ({
      type: 'NOTE_ADDED',
      text: `note ${i}`,
      incidentId: INCIDENT_ID,
      orgId: ORG,
      seq: 100 + i,
      actor: 'U_BOB',
      occurredAt: '2026-11-21T11:10:00.000Z',
    }));
    const events = [...base, ...notes];
    const p = buildNarrativePrompt({ incident: fold(initialState(INCIDENT_ID, ORG), events), events, userNames: NAMES });
    expect(p.user).toContain('events omitted');
    expect(p.user).toContain('Incident declared by Alice');
    expect(p.user).toContain('note 399');
  });
});

describe('redactSecrets', () => {
  it('keeps ordinary text', () => {
    expect(redactSecrets('Rolled back to v2.2; token bucket limiter at 90%')).toBe('Rolled back to v2.2; token bucket limiter at 90%');
  });
});

describe('parseNarrative', () => {
  it('accepts the structured answer, also inside a code fence', () => {
    expect(parseNarrative(JSON.stringify(good))).toEqual(good);
    expect(parseNarrative('```json\n' + JSON.stringify(good) + '\n```')).toEqual(good);
  });

  it('rejects anything else', () => {
    expect(parseNarrative(undefined)).toBeNull();
    expect(parseNarrative('not json')).toBeNull();
    expect(parseNarrative('{"summary": "x"}')).toBeNull();
    expect(parseNarrative(JSON.stringify({ ...good, wentWell: 'one string' }))).toBeNull();
    expect(parseNarrative(JSON.stringify({ ...good, summary: '   ' }))).toBeNull();
  });
});
