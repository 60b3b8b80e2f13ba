import { describe, expect, it } from 'vitest';
import { fold } from '../../src/incidents/incident.decider';
import { initialState } from '../../src/incidents/incident.types';
import { computeImpact, formatDuration } from '../../src/postmortems/postmortem.impact';
import {
  PROMPTS,
  draftPostmortem,
  postmortemBranch,
  postmortemFilePath,
  postmortemMarker,
  readPostmortemMarker,
} from '../../src/postmortems/postmortem.markdown';
import { buildTimeline, formatUtc } from '../../src/postmortems/postmortem.timeline';
import { INCIDENT_ID, NAMES, ORG, fixtureInput, resolvedIncidentEvents } from '../helpers/postmortem.fixture';

const section = (md: string, heading: string) => {
  const start = md.indexOf(`## ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThan(-1);
  const next = md.indexOf('\n## ', start + 3);
  return md.slice(start, next < 0 ? undefined : next);
};

describe('draftPostmortem', () => {
  const md = draftPostmortem(fixtureInput());

  it('has the title and every section, in order', () => {
    expect(md).toContain('# INC-42: Checkout errors after deploy — Postmortem');
    const headings = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'Summary',
      'Impact',
      'Timeline',
      'Root cause analysis',
      'What went well',
      'What went poorly',
      'Action items',
      'Related incidents',
      'Links',
    ]);
  });

  it('starts with the marker that identifies the incident', () => {
    expect(md.split('\n')[0]).toBe(postmortemMarker(INCIDENT_ID));
    expect(readPostmortemMarker(md)).toBe(INCIDENT_ID);
    expect(readPostmortemMarker('# someone else’s notes')).toBeNull();
  });

  it('computes durations from the start to mitigation and resolution', () => {
    const impact = section(md, 'Impact');
    expect(impact).toContain('- **Start:** 2026-11-21 10:00:00 UTC (declaration)');
    expect(impact).toContain('- **Time to mitigate:** 47m (mitigated 2026-11-21 10:47:00 UTC)');
    expect(impact).toContain('- **Time to resolve:** 1h 05m (resolved 2026-11-21 11:05:00 UTC)');
    expect(impact).toContain('- **Severity:** SEV1 (declared as SEV3)');
    expect(impact).toContain('- **Services:** checkout');
    expect(impact).toContain('- **Environments:** production');
    expect(impact).toContain('- **Alerts attached:** 1');
  });

  it('lists every event in seq order with UTC timestamps and names, one line each', () => {
    const lines = section(md, 'Timeline').split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(resolvedIncidentEvents().length);
    const stamps = lines.map((l) => /`(.+?) UTC`/.exec(l)?.[1]);
    expect(stamps).toEqual([...stamps].sort());
    expect(lines[0]).toBe('- `2026-11-21 10:00:00 UTC` — Incident declared by Alice: “Checkout errors after deploy” (SEV3, checkout / production).');
    expect(lines).toContain('- `2026-11-21 10:04:00 UTC` — Bob became commander (assigned by Alice).');
    // Mentions resolved to names and the multi-line note kept on one line.
    expect(lines).toContain('- `2026-11-21 10:20:00 UTC` — Note added by Carol: “Error spike lines up with @Alice deploy of v2.3 at 09:58”.');
    expect(lines).toContain('- `2026-11-21 11:00:00 UTC` — Follow-up action completed by Carol: “Alert on checkout error rate per version”.');
    expect(lines).toContain('- `2026-11-21 11:02:00 UTC` — Alert resolved: “Checkout error rate 7%”.');
  });

  it('orders the timeline by seq even when events arrive shuffled', () => {
    const input = fixtureInput();
    const shuffled = draftPostmortem({ ...input, events: [...input.events].reverse() });
    expect(shuffled).toBe(draftPostmortem(input));
    expect(buildTimeline([...input.events].reverse(), NAMES).map((t) => t.seq)).toEqual(input.events.map((e) => e.seq));
  });

  it('writes action items as a checklist with owners and state', () => {
    const actions = section(md, 'Action items');
    expect(actions).toContain('- [ ] Add canary stage for checkout — owner: Carol');
    expect(actions).toContain('- [x] Alert on checkout error rate per version — owner: _unassigned_ (done 2026-11-21 11:00:00 UTC)');
  });

  it('without a narrative, fills narrative sections with prompts for the team', () => {
    expect(section(md, 'Summary')).toContain(PROMPTS.summary);
    expect(section(md, 'Summary')).toContain('INC-42 (SEV1) affected checkout in production. It was declared at 2026-11-21 10:00:00 UTC, mitigated after 47m and resolved after 1h 05m.');
    expect(section(md, 'Root cause analysis')).toContain('5 whys');
    expect(section(md, 'What went well')).toContain(PROMPTS.wentWell);
    expect(section(md, 'What went poorly')).toContain(PROMPTS.wentPoorly);
  });

  it('uses a narrative when given, flattening headings so the outline stays intact', () => {
    const out = draftPostmortem(
      fixtureInput({
        narrative: {
          summary: 'A deploy raised checkout errors; a rollback restored service.',
          rootCause: '## Cause\nThe v2.3 build had a bad config default.',
          wentWell: ['- Fast rollback', 'Clear commander handover'],
          wentPoorly: ['No canary stage'],
        },
      }),
    );
    expect(section(out, 'Summary')).toContain('A deploy raised checkout errors');
    expect(section(out, 'Summary')).not.toContain('To fill in');
    expect(section(out, 'Root cause analysis')).toContain('Cause\nThe v2.3 build');
    expect(out.match(/^## /gm)).toHaveLength(9);
    expect(section(out, 'What went well')).toContain('- Fast rollback\n- Clear commander handover');
    expect(section(out, 'What went poorly')).toContain('- No canary stage');
  });

  it('lists related incidents and links', () => {
    const out = draftPostmortem(fixtureInput({ related: [{ number: 7, title: 'Checkout 500s', url: 'https://x/7' }, { number: 9, title: 'Cart slow' }] }));
    expect(section(out, 'Related incidents')).toContain('- [INC-7: Checkout 500s](https://x/7)\n- INC-9: Cart slow');
    expect(section(out, 'Links')).toContain('- Slack channel: [#inc-42-checkout-errors-after-deploy](https://acme.slack.com/archives/C42)');
    expect(section(out, 'Links')).toContain('- Alert: https://alerts.example.com/fp1');
    expect(section(md, 'Related incidents')).toContain('_No related incidents found._');
  });

  it('is blameless: the template never uses blame or fault words', () => {
    const empty = draftPostmortem(fixtureInput());
    for (const word of [/blame/i, /fault/i, /culprit/i, /\bcaused by (alice|bob|carol)\b/i, /negligen/i, /mistake/i]) {
      expect(empty).not.toMatch(word);
    }
  });

  it('shows running durations for an incident that is still open', () => {
    const events = resolvedIncidentEvents().slice(0, 6); // up to INVESTIGATING at 10:12
    const out = draftPostmortem({ ...fixtureInput(), events, incident: fold(initialState(INCIDENT_ID, ORG), events), now: '2026-11-21T10:30:00.000Z' });
    expect(out).toContain('- **Time to mitigate:** not mitigated yet (30m so far)');
    expect(out).toContain('- **Time to resolve:** not resolved yet (30m so far)');
  });
});

describe('impact', () => {
  it('starts the clock at the first alert when it precedes the declaration', () => {
    const events = resolvedIncidentEvents();
    const attached = events.find((e) => e.type === 'SIGNAL_ATTACHED')!;
    attached.occurredAt = '2026-11-21T09:55:00.000Z';
    const imp = computeImpact(fold(initialState(INCIDENT_ID, ORG), events), events);
    expect(imp.startedBy).toBe('signal');
    expect(formatDuration(imp.toMitigate!)).toBe('52m');
    expect(formatDuration(imp.toResolve!)).toBe('1h 10m');
    expect(imp.peakSeverity).toBe('SEV1');
  });

  it('treats resolution without mitigation as the mitigation', () => {
    const events = resolvedIncidentEvents().filter((e) => !(e.type === 'STATUS_CHANGED' && e.to === 'MITIGATED'));
    const imp = computeImpact(fold(initialState(INCIDENT_ID, ORG), events), events);
    expect(imp.toMitigate).toBe(imp.toResolve);
  });

  it('formats durations for humans', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(5 * 60_000)).toBe('5m');
    expect(formatDuration(65 * 60_000)).toBe('1h 05m');
    expect(formatDuration((26 * 60 + 3) * 60_000)).toBe('1d 2h 03m');
    expect(formatDuration(-5)).toBe('0s');
  });

  it('formats timestamps as UTC', () => {
    expect(formatUtc('2026-11-21T23:34:59.123Z')).toBe('2026-11-21 23:34:59 UTC');
    expect(formatUtc('2026-11-21T23:34:59+02:00')).toBe('2026-11-21 21:34:59 UTC');
  });
});

describe('file path and branch', () => {
  it('dates the file by resolution, else declaration, with a title slug', () => {
    const { incident } = fixtureInput();
    expect(postmortemFilePath(incident)).toBe('postmortems/2026-11-21-checkout-errors-after-deploy.md');
    expect(postmortemFilePath({ number: 3, title: 'Café down!', createdAt: '2026-01-31T23:59:59Z' })).toBe('postmortems/2026-01-31-cafe-down.md');
    expect(postmortemFilePath({ number: 3, title: '🔥🔥', createdAt: '2026-01-31T10:00:00Z', resolvedAt: '2026-02-01T00:10:00Z' })).toBe(
      'postmortems/2026-02-01-incident-3.md',
    );
    expect(postmortemBranch(42)).toBe('postmortem/incident-42');
  });
});
