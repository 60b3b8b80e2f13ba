import { describe, expect, it } from 'vitest';
import { blockIssues } from '../../../src/adapters/slack-fake/slack-fake.validate';
import { escapeMrkdwn } from '../../../src/shared/text';
import { digestBlocks, DIGEST_ACTIONS } from '../../../src/watchlist/digest.blocks';
import { decodeEntryRef, orderEntries, type WatchEntry } from '../../../src/watchlist/digest.types';

const NOW = new Date('2025-03-03T09:00:00Z');

const entry = (o: Partial<WatchEntry> & Pick<WatchEntry, 'service'>): WatchEntry => ({
  environment: 'production',
  status: 'AT_RISK',
  riskScore: 0.5,
  source: 'alertmanager',
  title: `${o.service} is unhappy`,
  logs: [],
  firstDetectedAt: '2025-03-03T07:00:00Z',
  lastUpdatedAt: '2025-03-03T08:55:00Z',
  ...o,
});

const allText = (blocks: unknown[]) => JSON.stringify(blocks);
const sections = (blocks: Array<Record<string, any>>) => blocks.filter((b) => b.type === 'section').map((b) => b.text.text as string);

describe('digestBlocks', () => {
  it('lists breached first, then at risk, riskiest first, with since-times in the digest time zone', () => {
    const entries = [
      entry({ service: 'search', riskScore: 0.9 }),
      entry({ service: 'checkout', status: 'BREACHED', riskScore: 0.7, firstDetectedAt: '2025-03-03T06:55:00Z' }),
      entry({ service: 'payments', status: 'BREACHED', riskScore: 0.95 }),
      entry({ service: 'auth', riskScore: 0.3 }),
    ];
    const msg = digestBlocks({ entries, now: NOW, timeZone: 'Europe/Berlin', teamId: 'T1' });
    const order = sections(msg.blocks as never).map((t) => /\*(\w+)\*/.exec(t)?.[1]);
    expect(order).toEqual(['payments', 'checkout', 'search', 'auth']);
    expect(msg.text).toBe('Watchlist digest: 2 breached, 2 at risk');
    const checkout = sections(msg.blocks as never)[1];
    // 06:55 UTC is 07:55 in Berlin (CET), 2 h 5 min before 09:00 UTC.
    expect(checkout).toContain('since Mon 3 Mar, 07:55 CET (2 h 5 min ago)');
    expect(checkout).toContain('risk *0.70*');
    expect(allText(msg.blocks)).toContain('times in Europe/Berlin');
    expect(blockIssues(msg.blocks, 'message')).toEqual([]);
  });

  it('stays within 50 blocks with 500 entries and says how many more there are', () => {
    const entries = Array.from({ length: 500 }, (_, i) => entry({ service: `svc-${String(i).padStart(3, '0')}`, status: i % 5 === 0 ? 'BREACHED' : 'AT_RISK', riskScore: (i % 97) / 100, logs: [{ level: 'error', message: 'x'.repeat(2000), timestamp: '2025-03-03T08:59:00Z' }] }));
    const msg = digestBlocks({ entries, now: NOW, timeZone: 'UTC', teamId: 'T1' });
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    expect(msg.shown).toBeGreaterThan(0);
    expect(msg.shown + msg.more).toBe(500);
    // 100 breached entries, all of which sort before the at-risk ones.
    const shownBreached = Math.min(100, msg.shown);
    expect(allText(msg.blocks)).toContain(`and *${msg.more} more* not shown (${100 - shownBreached} breached, ${400 - (msg.shown - shownBreached)} at risk)`);
    // Slack's own limits, checked by the same validator the Slack fake uses.
    expect(blockIssues(msg.blocks, 'message')).toEqual([]);
    for (const t of sections(msg.blocks as never)) expect(t.length).toBeLessThanOrEqual(3000);
    const ids = msg.blocks.flatMap((b) => ((b.elements as Array<Record<string, unknown>>) ?? []).map((e) => e.action_id)).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses the totals of the whole list when given only its top', () => {
    const msg = digestBlocks({ entries: [entry({ service: 'a', status: 'BREACHED' })], totals: { breached: 3, atRisk: 40 }, now: NOW, timeZone: 'UTC', teamId: 'T1' });
    expect(msg.text).toBe('Watchlist digest: 3 breached, 40 at risk');
    expect(msg.more).toBe(42);
    expect(allText(msg.blocks)).toContain('*42 more* not shown (2 breached, 40 at risk)');
  });

  it('offers Declare and Clear on an entry without an open incident, Open channel when it has one', () => {
    const msg = digestBlocks({
      entries: [
        entry({ service: 'free', status: 'BREACHED' }),
        entry({ service: 'handled', riskScore: 0.6, incident: { id: 'i1', number: 7, status: 'INVESTIGATING', channelId: 'C777' } }),
        entry({ service: 'closed', incident: { id: 'i2', number: 3, status: 'RESOLVED', channelId: 'C333' } }),
      ],
      now: NOW,
      timeZone: 'UTC',
      teamId: 'T1',
    });
    const actions = msg.blocks.filter((b) => b.type === 'actions') as Array<{ elements: Array<Record<string, any>> }>;
    const kinds = actions.map((a) => a.elements.map((e) => String(e.action_id).split(':')[0]));
    expect(kinds).toEqual([
      [DIGEST_ACTIONS.declare, DIGEST_ACTIONS.clear],
      [DIGEST_ACTIONS.clear, DIGEST_ACTIONS.open],
      [DIGEST_ACTIONS.declare, DIGEST_ACTIONS.clear, DIGEST_ACTIONS.open],
    ]);
    const open = actions[1].elements[1];
    expect(open.url).toBe('https://slack.com/app_redirect?team=T1&channel=C777');
    expect(decodeEntryRef(actions[0].elements[0].value)).toEqual({ service: 'free', environment: 'production' });
    expect(sections(msg.blocks as never)[1]).toContain('INC-7 (investigating) <#C777>');
    for (const a of actions) for (const e of a.elements) expect(e.text.text.length).toBeLessThanOrEqual(75);
  });

  it('shows the newest log lines first, escaped, in the digest time zone', () => {
    const msg = digestBlocks({
      entries: [
        entry({
          service: 'api',
          logs: [
            { level: 'warn', message: 'older <b>', timestamp: '2025-03-03T08:00:00Z' },
            { level: 'error', message: 'newest & `worst`', timestamp: '2025-03-03T08:30:15Z' },
          ],
        }),
      ],
      now: NOW,
      timeZone: 'America/New_York',
      teamId: 'T1',
    });
    const text = sections(msg.blocks as never)[0];
    expect(text.indexOf('03:30:15 ERROR newest &amp;')).toBeGreaterThan(-1);
    expect(text.indexOf('03:30:15 ERROR')).toBeLessThan(text.indexOf('03:00:00 WARN older &lt;b&gt;'));
    expect(text).not.toMatch(/`worst`/);
  });

  it('an empty watchlist is a short all-clear', () => {
    const msg = digestBlocks({ entries: [], now: NOW, timeZone: 'UTC', teamId: 'T1' });
    expect(msg.empty).toBe(true);
    expect(msg.text).toMatch(/all clear/);
    expect(msg.blocks.length).toBe(2);
  });

  it('without buttons (App Home) each entry is one block', () => {
    const entries = Array.from({ length: 10 }, (_, i) => entry({ service: `s${i}` }));
    const msg = digestBlocks({ entries, now: NOW, timeZone: 'UTC', teamId: 'T1', interactive: false, maxEntries: 5 });
    expect(msg.blocks.filter((b) => b.type === 'actions')).toHaveLength(0);
    expect(msg.shown).toBe(5);
    expect(msg.more).toBe(5);
  });
});

describe('orderEntries / escapeMrkdwn', () => {
  it('orders by status, score, then age', () => {
    const o = orderEntries([
      entry({ service: 'b', riskScore: 0.5, firstDetectedAt: '2025-03-03T02:00:00Z' }),
      entry({ service: 'a', riskScore: 0.5, firstDetectedAt: '2025-03-03T01:00:00Z' }),
      entry({ service: 'c', status: 'BREACHED', riskScore: 0.1 }),
    ]);
    expect(o.map((e) => e.service)).toEqual(['c', 'a', 'b']);
  });
  it('escapes Slack control characters', () => {
    expect(escapeMrkdwn('<a> & <@U1>')).toBe('&lt;a&gt; &amp; &lt;@U1&gt;');
  });
});
