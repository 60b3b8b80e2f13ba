import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { blockIssues } from '../../src/adapters/slack-fake/slack-fake.validate';
import { createEffectPlanner } from '../../src/adapters/slack/effects.planner';
import { actionMessage, homeView, listBlocks, timelineBlocks } from '../../src/adapters/slack/incident.blocks';
import { summaryBlocks } from '../../src/adapters/slack/summary.blocks';
import { fold } from '../../src/incidents/incident.decider';
import {
  type IncidentEvent,
  type IncidentEventData,
  initialState,
  SEVERITIES,
  STATUSES,
} from '../../src/incidents/incident.types';
import { fitBlocks, SLACK_BLOCK_LIMITS } from '../../src/shared/block-limits';
import { untrustedMrkdwn } from '../../src/shared/text';
import { digestBlocks } from '../../src/watchlist/digest.blocks';
import { check, nastyText, sometimesHuge } from './fuzz.helpers';
import { mrkdwnTexts } from '../helpers/mrkdwn';

/**
 * Issue 20 part 4: for any input, what a Block Kit builder returns is within Slack's limits (the Slack
 * fake's validator: ≤ 50 blocks, sections ≤ 3,000, headers ≤ 150, fields ≤ 2,000 …) and every `<`, `>`
 * and `&` that came from the input is escaped: no `<!everyone>`, group mention or disguised link leaks.
 */
const text = sometimesHuge(nastyText());
const iso = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const userId = fc.option(fc.constantFrom('U0001', 'U0ABC', 'W0001'), { nil: null });
const PR_URL = 'https://github.com/acme/postmortems/pull/7';

const incidentRow: fc.Arbitrary<IncidentRow> = fc.record({
  id: fc.constant('inc-1'),
  org_id: fc.constant('T0001'),
  number: fc.integer({ min: 1, max: 10 ** 9 }),
  title: text,
  description: fc.option(text, { nil: null }),
  status: fc.constantFrom(...STATUSES),
  severity: fc.constantFrom(...SEVERITIES),
  service: fc.option(text, { nil: null }),
  environment: fc.option(text, { nil: null }),
  source: fc.constantFrom('manual', 'auto'),
  channel_id: fc.option(fc.constantFrom('C0001', 'C0ABC'), { nil: null }),
  channel_name: fc.option(fc.constant('inc-1-x'), { nil: null }),
  summary_ts: fc.constant(null),
  commander_id: userId,
  comms_id: userId,
  scribe_id: userId,
  created_by: fc.constant('U0001'),
  created_at: iso,
  updated_at: iso,
  mitigated_at: fc.constant(null),
  resolved_at: fc.constant(null),
  cancelled_at: fc.constant(null),
  last_update_at: fc.option(iso, { nil: null }),
  last_update_text: fc.option(text, { nil: null }),
  signal_count: fc.nat(),
  open_signal_count: fc.nat(),
  action_count: fc.nat(),
  open_action_count: fc.nat(),
  note_count: fc.nat(),
  version: fc.nat(),
  postmortem_version: fc.nat(),
  postmortem_pr_url: fc.option(fc.constant(PR_URL), { nil: null }),
});

/** What our own code writes (dates, people, channels, the PR link, a quote marker) may use `<`/`>`; nothing else may. */
const BOT_TOKENS = [
  /<!date\^-?\d+\^[^|<>]*\|[^<>]*>/g,
  /<@[UW][A-Z0-9]{1,20}(\|[^<>|]{0,80})?>/g,
  /<#[CG][A-Z0-9]{1,20}(\|[^<>|]{0,80})?>/g,
  new RegExp(`<${PR_URL}(\\|[^<>]*)?>`, 'g'),
  /(^|\n)>/g,
];
function expectEscaped(message: { text?: unknown; blocks?: unknown }): void {
  for (const t of mrkdwnTexts(message)) {
    const rest = BOT_TOKENS.reduce((s, re) => s.replace(re, ''), t);
    expect(rest, `unescaped control character in ${JSON.stringify(t.slice(0, 200))}`).not.toMatch(/[<>]/);
    expect(rest).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
}
function expectWithinLimits(blocks: unknown, surface: 'message' | 'home' = 'message'): void {
  if (blocks === undefined) return;
  const issues = blockIssues(blocks, surface);
  expect(issues, JSON.stringify(issues.slice(0, 3))).toEqual([]);
}

describe('fuzz: Block Kit builders', () => {
  it('summaryBlocks: within limits and escaped for any incident row', () => {
    check([incidentRow], (row) => {
      const m = summaryBlocks(row);
      expectWithinLimits(m.blocks);
      expectEscaped(m);
    });
  });

  it('timelineBlocks, listBlocks, homeView: within limits and escaped for any rows', () => {
    const timelineRow = fc.record({ occurred_at: iso, text });
    check(
      [incidentRow, fc.array(timelineRow, { maxLength: 60 }), fc.array(incidentRow, { maxLength: 25 })],
      (row, rows, list) => {
        const tl = timelineBlocks(row, rows);
        expectWithinLimits(tl.blocks);
        expectEscaped(tl);
        const l = listBlocks(list, 'open');
        expectWithinLimits(l.blocks);
        expectEscaped(l);
        const home = homeView(list);
        expectWithinLimits(home.blocks, 'home');
        expectEscaped(home);
      },
    );
  });

  it('actionMessage: within limits and escaped for any text and owner', () => {
    check(
      [fc.integer({ min: 1 }), text, fc.option(fc.constantFrom('U0001', 'W0002'), { nil: undefined })],
      (n, t, owner) => {
        const m = actionMessage(n, 'act-1', t, owner);
        expectWithinLimits(m.blocks);
        expectEscaped(m);
      },
    );
  });

  it('effect planner: notes, updates, status messages and follow-ups are posted escaped and within limits', () => {
    const plan = createEffectPlanner({ announceChannel: 'C0ANN' });
    const event = fc.oneof(
      text.map((t): IncidentEventData => ({ type: 'NOTE_ADDED', text: t })),
      text.map((t): IncidentEventData => ({ type: 'UPDATE_POSTED', text: t })),
      text.map((t): IncidentEventData => ({ type: 'STATUS_CHANGED', from: 'OPEN', to: 'INVESTIGATING', message: t })),
      text.map((t): IncidentEventData => ({ type: 'ACTION_ADDED', actionId: 'a1', text: t, owner: 'U0002' })),
    );
    check([text, event], (title, data) => {
      const created: IncidentEvent = {
        type: 'INCIDENT_CREATED',
        number: 1,
        title,
        severity: 'SEV2',
        channelName: 'inc-1',
        source: 'manual',
        incidentId: 'i',
        orgId: 'T0001',
        seq: 1,
        actor: 'U0001',
        occurredAt: '2026-12-01T10:00:00.000Z',
      };
      const before = fold(initialState('i', 'T0001'), [created]);
      const e = {
        ...data,
        incidentId: 'i',
        orgId: 'T0001',
        seq: 2,
        actor: 'U0001',
        occurredAt: '2026-12-01T10:01:00.000Z',
      } as IncidentEvent;
      const after = fold(before, [e]);
      for (const effect of plan(before, after, [e], new Date('2026-12-01T10:01:00.000Z'))) {
        const p = effect.payload as { text?: unknown; blocks?: unknown };
        if (effect.kind !== 'slack.post' && effect.kind !== 'slack.announce') continue;
        expectWithinLimits(p.blocks);
        expectEscaped(p);
      }
    });
  });

  it('digestBlocks: within limits and escaped for any watchlist', () => {
    const entry = fc.record({
      service: text,
      environment: text,
      status: fc.constantFrom('AT_RISK' as const, 'BREACHED' as const),
      riskScore: fc.double({ min: 0, max: 1, noNaN: true }),
      source: text,
      title: text,
      logs: fc.array(fc.record({ level: fc.constantFrom('error', 'warn'), message: text, timestamp: iso }), {
        maxLength: 5,
      }),
      firstDetectedAt: iso,
      lastUpdatedAt: iso,
    });
    check([fc.array(entry, { maxLength: 22 }), fc.boolean()], (entries, interactive) => {
      const d = digestBlocks({
        entries,
        now: new Date('2026-12-01T10:00:00Z'),
        timeZone: 'UTC',
        teamId: 'T0001',
        interactive,
      });
      expectWithinLimits(d.blocks);
      expectEscaped(d);
    });
  });

  it('fitBlocks: any blocks come back within Slack limits', () => {
    const txt = (type: 'mrkdwn' | 'plain_text') =>
      fc.record({ type: fc.constant(type), text: sometimesHuge(fc.string({ minLength: 1, maxLength: 50 })) });
    const block = fc.oneof(
      fc.record({ type: fc.constant('header'), text: txt('plain_text') }),
      fc.record({ type: fc.constant('section'), text: txt('mrkdwn') }),
      fc.record({ type: fc.constant('section'), fields: fc.array(txt('mrkdwn'), { minLength: 1, maxLength: 14 }) }),
      fc.record({ type: fc.constant('context'), elements: fc.array(txt('mrkdwn'), { minLength: 1, maxLength: 14 }) }),
      fc.record({ type: fc.constant('divider') }),
    );
    check([fc.array(block, { maxLength: 70 })], (blocks) => {
      const fitted = fitBlocks(blocks);
      expect(fitted.length).toBeLessThanOrEqual(SLACK_BLOCK_LIMITS.messageBlocks);
      expectWithinLimits(fitted);
      expectWithinLimits(fitBlocks(blocks, SLACK_BLOCK_LIMITS.homeBlocks), 'home');
    });
  });

  it('untrustedMrkdwn is idempotent and leaves no broadcast, group mention or link', () => {
    check([text], (t) => {
      const once = untrustedMrkdwn(t);
      expect(untrustedMrkdwn(once)).toBe(once);
      expect(once).not.toMatch(/<[!h]|<mailto/);
    });
  });
});
