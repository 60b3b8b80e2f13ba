import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, CONFIG_KEYS, loadConfig } from '../../src/config';
import { parseRunbook, parseSafetyTag } from '../../src/guidance/runbook.parser';
import { incidentChannelName, MAX_CHANNEL_NAME, slugify } from '../../src/incidents/channel-name';
import { INCIDENT_ROLES, SEVERITIES, STATUSES } from '../../src/incidents/incident.types';
import * as grammar from '../../src/adapters/slack/command.parser';
import { acceptOrRefuse, check, nastyText, sometimesHuge } from './fuzz.helpers';


const words = fc.oneof(
  nastyText(6),
  fc.constantFrom(
    'declare',
    'sev1',
    'SEV2',
    '3',
    'sev9',
    'status',
    'resolved',
    'cancel',
    'OPEN',
    'commander',
    'comms',
    'nobody',
    '<@U0001>',
    '<@U0002|bob>',
    '<@u1>',
    '<#C0001|ops>',
    '<#C1>',
    '@bob',
  ),
);
const commandText = fc
  .array(words, { maxLength: 8 })
  .chain((ws) => fc.constantFrom(' ', '\n', '\t', '  ').map((sep) => ws.join(sep)));

describe('fuzz: the /incident command grammar', () => {
  it('finds the parser module', () => expect(grammar?.parseCommandText).toBeTypeOf('function'));

  it('parseCommandText and splitFirst never throw; sub is one lowercase word, rest is trimmed', () => {
    check([fc.oneof(commandText, fc.string({ unit: 'binary' }))], (text) => {
      const { sub, rest } = grammar.parseCommandText(text);
      expect(sub).not.toMatch(/\s/);
      expect(sub).toBe(sub.toLowerCase());
      expect(rest).toBe(rest.trim());
      if (text.trim() === '') expect(sub).toBe('help');
      const [first, tail] = grammar.splitFirst(rest);
      expect(first).not.toMatch(/\s/);
      expect(tail).toBe(tail.trim());
    });
  });

  it('severity, status, role and mention parsers answer a typed value or a DomainError(invalid_input)', () => {
    check([fc.option(words, { nil: undefined })], (word) => {
      const sev = grammar.parseSeverity(word);
      if (sev !== undefined) expect(SEVERITIES).toContain(sev);
      const req = acceptOrRefuse(() => grammar.requireSeverity(word));
      if (req !== undefined) expect(SEVERITIES).toContain(req);
      const status = acceptOrRefuse(() => grammar.parseStatus(word));
      if (status !== undefined) expect(STATUSES.filter((s) => s !== 'OPEN')).toContain(status);
      const role = acceptOrRefuse(() => grammar.parseRole(word));
      if (role !== undefined) expect(INCIDENT_ROLES).toContain(role);
      const user = acceptOrRefuse(() => grammar.parseUserMention(word));
      if (user !== undefined) expect(user).toMatch(/^[UW][A-Z0-9]+$/);
      const channel = grammar.parseChannelMention(word);
      if (channel !== undefined) expect(channel).toMatch(/^[CG][A-Z0-9]+$/);
    });
  });
});

describe('fuzz: runbook parser', () => {
  const line = fc.oneof(
    nastyText(10),
    fc
      .tuple(
        fc.constantFrom(
          '# ',
          '## ',
          '### ',
          '####### ',
          '- ',
          '* ',
          '+ ',
          '1. ',
          '2) ',
          '- [ ] ',
          '  - ',
          '```',
          '~~~',
          '    ',
        ),
        nastyText(8),
      )
      .map(([a, b]) => a + b),
    fc.constantFrom('[safe]', '**[dangerous]** drop table', '`[caution]`', 'step [safe] [dangerous]', ''),
  );
  const markdown = fc
    .array(line, { maxLength: 30 })
    .chain((ls) => fc.constantFrom('\n', '\r\n', '\r').map((nl) => ls.join(nl)));

  it('parses any text without throwing: steps are non-empty, tagged with a known safety', () => {
    check([fc.oneof(markdown, fc.string({ unit: 'binary', maxLength: 400 }))], (md) => {
      const rb = parseRunbook(md);
      expect(typeof rb.title).toBe('string');
      for (const s of rb.sections) {
        for (const step of s.steps) {
          expect(step.text.trim()).not.toBe('');
          expect(['safe', 'caution', 'dangerous', 'unknown']).toContain(step.safety);
        }
      }
    });
  });

  it('a tag is never left in the step text it was read from (at either end)', () => {
    check([nastyText(10)], (raw) => {
      const step = parseSafetyTag(raw);
      expect(step.text).toBe(step.text.trim());
      if (step.safety !== 'unknown') expect(step.text.length).toBeLessThan(raw.trim().length);
    });
  });
});

describe('fuzz: config parsing', () => {
  const value = fc.oneof(
    nastyText(6),
    fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '65536',
      '1e3',
      'xoxb-1',
      'xapp-1',
      'http://x',
      'postgres://u@h/db',
      'sqlite:',
      'sqlite::memory:',
      ':memory:',
      'SEV1=30m',
      'SEV9=1x',
      'off',
      '* * * * *',
      '61 * * * *',
      'Europe/Berlin',
      'Mars/Olympus',
      'breached',
      'silent',
      '1',
    ),
  );
  const env = fc.dictionary(fc.oneof(fc.constantFrom(...CONFIG_KEYS), fc.string({ maxLength: 6 })), value, {
    maxKeys: 12,
  });

  it('loadConfig of any environment returns a config or throws ConfigError, nothing else', () => {
    check([env], (e) => {
      try {
        const c = loadConfig(e);
        expect(c.port).toBeGreaterThanOrEqual(0);
        expect(c.channelPrefix).toMatch(/^[a-z0-9_-]{1,20}$/);
      } catch (err) {
        if (!(err instanceof ConfigError))
          throw new Error(`loadConfig threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
        expect(err.problems.length).toBeGreaterThan(0);
      }
    });
  });
});

describe('fuzz: channel-name slugging', () => {
  it('any prefix, number and title give a valid, bounded Slack channel name; attempts give distinct names', () => {
    check(
      [
        fc.oneof(nastyText(6), fc.constantFrom('inc', 'INC', '', '---', 'x'.repeat(40))),
        fc.integer({ min: 1, max: 10 ** 12 }),
        sometimesHuge(nastyText()),
        fc.integer({ min: 0, max: 50 }),
      ],
      (prefix, n, title, attempt) => {
        const name = incidentChannelName(prefix, n, title, attempt);
        expect(name).toMatch(/^[a-z0-9_-]+$/);
        expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
        expect(name).toContain(`-${n}`);
        expect(name).not.toMatch(/--|-$/);
        if (attempt > 0)
          expect(incidentChannelName(prefix, n, title, attempt)).not.toBe(incidentChannelName(prefix, n, title, 0));
        const slug = slugify(title);
        expect(slug.length).toBeLessThanOrEqual(60);
        expect(slug).not.toMatch(/^-|-$/);
      },
    );
  });
});
