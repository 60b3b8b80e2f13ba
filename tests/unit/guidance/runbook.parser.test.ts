import { describe, expect, it } from 'vitest';
import { parseRunbook, parseSafetyTag } from '../../../src/guidance/runbook.parser';
import { PAYMENTS_MD } from './guidance.fixtures';

describe('parseSafetyTag', () => {
  it.each([
    ['[safe] Check the dashboard', 'Check the dashboard', 'safe'],
    ['[SAFE] Check the dashboard', 'Check the dashboard', 'safe'],
    ['Check the dashboard [Caution]', 'Check the dashboard', 'caution'],
    ['Fail over the primary **[dangerous]**', 'Fail over the primary', 'dangerous'],
    ['`[safe]` read the logs', 'read the logs', 'safe'],
    ['[dangerous]: drop the cache', 'drop the cache', 'dangerous'],
    ['Restart the pods', 'Restart the pods', 'unknown'],
    ['Do not use [safe] in the middle', 'Do not use [safe] in the middle', 'unknown'],
  ])('%s', (raw, text, safety) => {
    expect(parseSafetyTag(raw)).toEqual({ text, safety });
  });

  it('takes the stricter tag when a step carries two', () => {
    expect(parseSafetyTag('[safe] restart the workers [dangerous]')).toEqual({ text: 'restart the workers', safety: 'dangerous' });
  });
});

describe('parseRunbook', () => {
  const rb = parseRunbook(PAYMENTS_MD, 'payments');

  it('takes the first H1 as title and splits sections by heading', () => {
    expect(rb.title).toBe('Payments API runbook');
    expect(rb.sections.map((s) => s.heading)).toEqual(['Payments API runbook', 'Diagnosis', 'High latency', 'Database connection errors', 'Contacts']);
    expect(rb.sections[1].level).toBe(2);
  });

  it('turns list items into steps with safety tags', () => {
    expect(rb.sections[1].steps).toEqual([
      { text: 'Is the error rate up on every region or one?', safety: 'unknown' },
      { text: 'Check the payments dashboard for 5xx by endpoint', safety: 'safe' },
      { text: 'Check recent deploys with `kubectl rollout history deploy/payments`', safety: 'safe' },
    ]);
    expect(rb.sections[2].steps).toEqual([
      { text: 'Scale the payments deployment to 12 replicas', safety: 'caution' },
      { text: 'Flush the token cache', safety: 'dangerous' },
    ]);
  });

  it('keeps the section markdown as body', () => {
    expect(rb.sections[1].body).toContain('Did the card processor post an incident?');
    expect(rb.sections[0].body).toBe('Owner: payments team. Dashboards: grafana/payments.');
    expect(rb.sections[0].steps).toEqual([]);
  });

  it('ignores headings and list markers inside fenced code', () => {
    const md = ['# Svc', '## Restart', '```bash', '# not a heading', '- not a step', '```', '- [caution] Restart the pod', '## Next'].join('\n');
    const r = parseRunbook(md);
    expect(r.sections.map((s) => s.heading)).toEqual(['Restart', 'Next']);
    expect(r.sections[0].steps).toEqual([{ text: 'Restart the pod', safety: 'caution' }]);
    expect(r.sections[0].body).toContain('# not a heading');
  });

  it('joins continuation lines, strips task boxes and handles CRLF and ordered lists', () => {
    const md = '## Fix\r\n- [ ] [safe] Check the\r\n  queue depth\r\n2) Drain the queue [dangerous]\r\n\r\ntext after\r\n';
    const r = parseRunbook(md, 'svc');
    expect(r.title).toBe('svc');
    expect(r.sections[0].steps).toEqual([
      { text: 'Check the queue depth', safety: 'safe' },
      { text: 'Drain the queue', safety: 'dangerous' },
    ]);
  });

  it('does not treat #hashtags or closing hashes as part of headings', () => {
    const r = parseRunbook('#hashtag line\n## Using C# ##\n- step');
    expect(r.sections.map((s) => s.heading)).toEqual(['Runbook', 'Using C#']);
    expect(r.sections[0].body).toBe('#hashtag line');
  });

  it('survives empty input', () => {
    expect(parseRunbook('', 'svc')).toEqual({ title: 'svc', sections: [] });
  });
});
