import { describe, expect, it } from 'vitest';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { blockIssues } from '../../src/adapters/slack-fake/slack-fake.validate';
import { timelineBlocks } from '../../src/adapters/slack/incident.blocks';
import { summaryBlocks } from '../../src/adapters/slack/summary.blocks';
import { decide } from '../../src/incidents/incident.decider';
import { initialState } from '../../src/incidents/incident.types';
import { isDomainError } from '../../src/shared/domain-error';
import { fitBlocks } from '../../src/shared/block-limits';
import { clipMrkdwn, isBlank, untrustedMrkdwn } from '../../src/shared/text';
import { normalise } from '../../src/signals/normalisers';
import { parseTime } from '../../src/signals/normalisers/normaliser.helpers';

/** Issue 20 part 8, the pure half: each case failed (or threw) on the code before this change. */
const EVIL = '<!everyone> DB down <http://evil.example/login|Click to re-authenticate>';
const row = (o: Partial<IncidentRow> = {}): IncidentRow => ({
  id: 'i1',
  org_id: 'T1',
  number: 7,
  title: 'Checkout down',
  description: null,
  status: 'OPEN',
  severity: 'SEV1',
  service: 'checkout',
  environment: 'prod',
  source: 'auto',
  channel_id: 'C1',
  channel_name: 'inc-7',
  summary_ts: null,
  commander_id: null,
  comms_id: null,
  scribe_id: null,
  created_by: 'U1',
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
  mitigated_at: null,
  resolved_at: null,
  cancelled_at: null,
  last_update_at: null,
  last_update_text: null,
  signal_count: 1,
  open_signal_count: 1,
  action_count: 0,
  open_action_count: 0,
  note_count: 0,
  version: 1,
  postmortem_version: 0,
  postmortem_pr_url: null,
  ...o,
});
const mrkdwn = (blocks: unknown): string =>
  JSON.stringify(blocks)
    .match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g)
    ?.join('\n') ?? '';

describe('untrusted text in Slack', () => {
  it('escapes broadcasts, group mentions, dates and disguised links; keeps one-person mentions and channel links', () => {
    expect(untrustedMrkdwn(EVIL)).toBe(
      '&lt;!everyone&gt; DB down &lt;http://evil.example/login|Click to re-authenticate&gt;',
    );
    expect(untrustedMrkdwn('<!here> <!channel> <!subteam^S123|@oncall> <!date^1^{date}|x>')).not.toMatch(/</);
    expect(untrustedMrkdwn('ask <@U0002> or <@W03|carol> in <#C0001|ops>')).toBe(
      'ask <@U0002> or <@W03|carol> in <#C0001|ops>',
    );
    // A label cannot smuggle a broadcast inside a kept mention.
    expect(untrustedMrkdwn('<@U1|<!here>>')).toBe('&lt;@U1|&lt;!here&gt;&gt;');
    // Slack's own escapes are not escaped twice; a bare & is.
    expect(untrustedMrkdwn('a &amp; b &lt;c&gt; & d')).toBe('a &amp; b &lt;c&gt; &amp; d');
    expect(untrustedMrkdwn(untrustedMrkdwn(EVIL))).toBe(untrustedMrkdwn(EVIL));
  });

  it('clipMrkdwn never leaves half an entity or half a mention', () => {
    expect(clipMrkdwn('abc &amp; def', 7)).toBe('abc …');
    expect(clipMrkdwn('hi <@U1234> there', 8)).toBe('hi …');
    expect(clipMrkdwn('😀😀😀', 4)).toBe('😀…');
  });

  it('zero-width, BOM and bidi characters alone are blank, and the decider refuses them as a title', () => {
    const invisible = '\u200B\u200C\u200D\u2060\uFEFF\u202E\u2066\u00AD';
    expect(isBlank(invisible)).toBe(true);
    expect(isBlank(`${invisible}x`)).toBe(false);
    let error: unknown;
    try {
      decide(
        { type: 'DeclareIncident', number: 1, title: invisible, severity: 'SEV2', channelName: 'inc-1' },
        initialState('i1', 'T1'),
        { kind: 'user', id: 'U1', role: 'admin' },
      );
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error) && error.code).toBe('invalid_input');
  });
});

describe('Slack limits whatever the builders are given', () => {
  it('the pinned summary of a 10 KB service, title and description is accepted, fields ≤ 2,000, nothing relayed', () => {
    const big = 'x'.repeat(10_240);
    const m = summaryBlocks(
      row({
        title: `${EVIL} ${big}`,
        service: big,
        environment: big,
        description: `${EVIL}${big}`,
        last_update_at: '2026-12-01T10:05:00.000Z',
        last_update_text: big,
      }),
    );
    expect(blockIssues(m.blocks, 'message')).toEqual([]);
    const fields = (m.blocks as Array<{ fields?: Array<{ text: string }> }>).flatMap((b) => b.fields ?? []);
    expect(Math.max(...fields.map((f) => f.text.length))).toBeLessThanOrEqual(2000);
    expect(mrkdwn(m.blocks) + m.text).not.toMatch(/<!everyone|<http/);
  });

  it('a first timeline line near the section limit does not produce an empty section (a fuzzing find)', () => {
    const m = timelineBlocks(row(), [
      { occurred_at: '2026-12-01T10:00:00.000Z', text: 'y'.repeat(5000) },
      { occurred_at: '2026-12-01T10:01:00.000Z', text: 'z' },
    ]);
    expect(blockIssues(m.blocks, 'message')).toEqual([]);
  });

  it('fitBlocks cuts headers, sections, fields and counts to Slack limits', () => {
    const long = 'w'.repeat(5000);
    const out = fitBlocks([
      { type: 'header', text: { type: 'plain_text', text: long } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: long },
        fields: Array.from({ length: 12 }, () => ({ type: 'mrkdwn', text: long })),
      },
      ...Array.from({ length: 60 }, () => ({ type: 'divider' })),
    ]);
    expect(out).toHaveLength(50);
    expect(blockIssues(out, 'message')).toEqual([]);
  });
});

describe('alert-derived values', () => {
  it('out-of-range times are refused as a Parsed failure, never thrown', () => {
    for (const t of [1796165704115000000, '8640000000000001', '253402300800000', '9999-12-31T23:59:59-23:59']) {
      const r = parseTime(t);
      expect(r.ok, String(t)).toBe(false);
    }
    expect(parseTime('9999-12-31T23:59:59.999Z')).toEqual({ ok: true, value: '9999-12-31T23:59:59.999Z' });
    expect(parseTime('1969-12-31T23:59:59Z')).toEqual({ ok: true, value: undefined });
  });

  it('caps every value at its documented limit with a warning, drops NUL, and is stable for repeats', () => {
    const body = {
      serviceName: 's'.repeat(10_240),
      environment: `prod\u0000`,
      status: 'firing',
      title: 'ok',
      severity: 'x'.repeat(500),
      startsAt: '2026-12-01T10:00:00Z',
      logs: Array.from({ length: 30 }, (_, i) => ({ message: `line ${i}\u0000` })),
    };
    const a = normalise('generic', body, { orgId: 'T1' });
    const b = normalise('generic', body, { orgId: 'T1' });
    const s = a.signals[0];
    expect(s.serviceName).toHaveLength(200);
    expect(s.environment).toBe('prod');
    expect(s.severity).toHaveLength(100);
    expect(s.logs).toHaveLength(20);
    expect(s.logs![0].message).toBe('line 0');
    expect(a.warnings.join(' ')).toMatch(
      /cut to the documented limits: serviceName \(10240 characters, limit 200\), severity \(500 characters, limit 100\), logs \(30 lines, limit 20\)/,
    );
    expect(b.signals[0].fingerprint).toBe(s.fingerprint);
  });
});
