import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockIssues } from '../../src/adapters/slack-fake/slack-fake.validate';
import { parseRunbook } from '../../src/guidance/runbook.parser';
import { SEVERITIES, STATUSES } from '../../src/incidents/incident.types';
import * as runbookBlocks from '../../src/adapters/slack/guidance/runbook.blocks';
import * as homeBlocks from '../../src/adapters/slack/home/home.blocks';
import * as postmortemBlocks from '../../src/adapters/slack/postmortems/postmortem.blocks';
import * as reminderBlocks from '../../src/adapters/slack/reminders/reminder.blocks';
import { check, nastyText, sometimesHuge } from './fuzz.helpers';
import { mrkdwnOf } from '../helpers/mrkdwn';

/** More Block Kit builders that take outside text (runbooks from disk or a form, reminders, App Home, postmortem previews). */
type Mod = Record<string, (...args: never[]) => unknown>;
const runbookMod = runbookBlocks as unknown as Mod;
const reminderMod = reminderBlocks as unknown as Mod;
const homeMod = homeBlocks as unknown as Mod;
const postmortemMod = postmortemBlocks as unknown as Mod;
const call = <T>(m: Mod, fn: string, ...args: unknown[]): T => (m[fn] as unknown as (...a: unknown[]) => T)(...args);

const text = sometimesHuge(nastyText());
const iso = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** Broadcasts and group mentions must never survive into mrkdwn, whatever else a builder renders. */
const BROADCAST = /<!(everyone|channel|here|subteam)/;
const expectValid = (m: { text?: unknown; blocks?: unknown }, surface: 'message' | 'home' = 'message') => {
  const issues = blockIssues(m.blocks, surface);
  expect(issues, JSON.stringify(issues.slice(0, 3))).toEqual([]);
  expect(mrkdwnOf(m)).not.toMatch(BROADCAST);
};

describe('fuzz: more Block Kit builders', () => {
  it('runbook markdown of any shape → runbook blocks within limits, no broadcast', () => {
    const line = fc.oneof(
      text,
      fc
        .tuple(fc.constantFrom('# ', '## ', '- ', '1. ', '- [safe] ', '- [dangerous] ', '```'), nastyText(10))
        .map(([a, b]) => a + b),
    );
    const md = fc.array(line, { maxLength: 80 }).map((ls) => ls.join('\n'));
    check(
      [
        md,
        nastyText(8),
        fc.constantFrom('db' as const, 'file' as const),
        fc.option(fc.constantFrom('https://wiki.example/rb', 'http://x|<!here>'), { nil: undefined }),
      ],
      (markdown, service, source, url) => {
        const m = call<{ text: string; blocks: unknown[] }>(
          runbookMod,
          'runbookBlocks',
          { service: service || 'svc', source, runbook: parseRunbook(markdown), url, updatedBy: 'U0001' },
          service || 'svc',
        );
        expectValid(m);
      },
    );
  });

  it('reminders for any incident title are within limits, no broadcast', () => {
    check(
      [
        text,
        fc.constantFrom(...SEVERITIES),
        fc.option(fc.constantFrom('U0001'), { nil: null }),
        iso,
        fc.integer({ min: 60_000, max: 10 ** 9 }),
      ],
      (title, severity, commanderId, createdAt, interval) => {
        const m = call<{ text: string; blocks: unknown[] }>(reminderMod, 'reminderMessage', {
          incidentId: 'i',
          number: 3,
          title,
          severity,
          commanderId,
          createdBy: 'U0002',
          lastUpdateAt: null,
          createdAt,
          interval,
          now: new Date('2101-01-01T00:00:00Z'),
        });
        expectValid(m);
      },
    );
  });

  it('App Home sections for any incidents and follow-ups are within limits, no broadcast', () => {
    const inc = fc.record({
      number: fc.nat(),
      title: text,
      severity: fc.constantFrom(...SEVERITIES),
      status: fc.constantFrom(...STATUSES),
      created_at: iso,
      commander_id: fc.option(fc.constant('U0001'), { nil: null }),
      channel_id: fc.option(fc.constant('C0001'), { nil: null }),
    });
    const action = fc.record({ text, number: fc.nat(), channel_id: fc.option(fc.constant('C0001'), { nil: null }) });
    check([fc.array(inc, { maxLength: 30 }), fc.array(action, { maxLength: 40 })], (incidents, actions) => {
      const blocks = [
        ...call<unknown[]>(homeMod, 'incidentsBySeverityBlocks', incidents, new Date('2101-01-01T00:00:00Z'), 'UTC'),
        ...call<unknown[]>(homeMod, 'myActionsBlocks', actions),
      ];
      expectValid({ blocks }, 'home');
    });
  });

  it('postmortem previews of any draft are within limits, no broadcast', () => {
    const md = fc
      .tuple(text, text, text)
      .map(([a, b, c]) => `# Postmortem\n\n## Summary\n${a}\n\n## Impact\n- **Start:** ${b}\n\n## Timeline\n${c}`);
    check(
      [text, md, fc.nat(), fc.option(fc.constant('https://github.com/acme/pm/pull/1'), { nil: null })],
      (title, markdown, version, prUrl) => {
        const m = call<{ text: string; blocks: unknown[] }>(postmortemMod, 'postmortemPreview', {
          incident: { number: 4, title, prUrl },
          draft: { version, markdown },
          origin: { generator: 'deterministic' },
        });
        expectValid(m);
      },
    );
  });
});
