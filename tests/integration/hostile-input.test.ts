import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EFFECT_METADATA_TYPE } from '../../src/adapters/slack/ids';
import { bearer, connector, fixture, genericSignal, overSocket, storedCounts, type Transport } from '../helpers/alerts';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { mrkdwnOf } from '../helpers/mrkdwn';

/**
 * Issue 20, hostile-input findings: out-of-range timestamps (were a 500 forever), broadcast mentions and
 * disguised links relayed from alerts and notes, unbounded alert-derived fields (a refused summary),
 * control characters in labels, and titles of only zero-width characters.
 */
const json = (v: unknown) => JSON.stringify(v);
const EVIL = '<!everyone> DB down <http://evil.example/login|Click to re-authenticate>';
const BROADCAST = /<!(everyone|channel|here|subteam)|<http/;
describe.each(dialects())('hostile input (%s)', (dialect) => {
  let h: Harness;
  let send: Transport;
  let am: { id: string; token: string };
  let dd: { id: string; token: string };
  let gen: { id: string; token: string };
  const db = () => h.tdb.db;
  const incidentOf = (service: string) =>
    db()
      .selectFrom('incidents')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('service', '=', service)
      .executeTakeFirst();
  const amAlert = (labels: Record<string, string>, o: Record<string, unknown> = {}) => ({
    receiver: 'revenant',
    status: 'firing',
    groupKey: `{}:{alertname="${labels.alertname ?? 'X'}"}`,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', severity: 'critical', env: 'prod', ...labels },
        annotations: {},
        startsAt: new Date().toISOString(),
        ...o,
      },
    ],
  });
  const pinnedSummary = async (service: string) => {
    await h.settle();
    const inc = await incidentOf(service);
    expect(inc?.channel_id, `incident for ${service.slice(0, 40)} has a channel`).toBeTruthy();
    const msg = h.slack
      .messages(inc!.channel_id!)
      .find((m) => m.ts === inc!.summary_ts && m.metadata?.event_type === EFFECT_METADATA_TYPE);
    expect(msg, 'the pinned summary was accepted by Slack').toBeDefined();
    return { inc: inc!, msg: msg! };
  };

  beforeAll(async () => {
    h = await startHarness(dialect);
    send = overSocket(h.app.url);
    am = await connector(db(), TEAM, 'alertmanager');
    dd = await connector(db(), TEAM, 'datadog');
    gen = await connector(db(), TEAM, 'generic');
  });
  afterAll(async () => h?.close());

  it('an out-of-range timestamp is a 400 naming the field (was a RangeError → 500 forever), and nothing is stored', async () => {
    const before = await storedCounts(db());
    const ns = 1796165704115000000;
    const cases: Array<{ what: string; c: { id: string; token: string }; body: unknown; field: RegExp }> = [
      {
        what: 'nanosecond epoch in generic startsAt',
        c: gen,
        body: [genericSignal({ serviceName: 'ts-a', startsAt: ns })],
        field: /\[0\]\.startsAt: out of range/,
      },
      {
        what: 'generic startsAt beyond 9999 as a string',
        c: gen,
        body: genericSignal({ serviceName: 'ts-b', startsAt: '8640000000000001' }),
        field: /startsAt: out of range/,
      },
      {
        what: 'generic log timestamp',
        c: gen,
        body: genericSignal({ serviceName: 'ts-c', logs: [{ message: 'x', timestamp: ns }] }),
        field: /logs\[0\]\.timestamp: out of range/,
      },
      {
        what: 'Alertmanager startsAt',
        c: am,
        body: amAlert({ service: 'ts-d' }, { startsAt: '8640000000000001' }),
        field: /alerts\[0\]\.startsAt: out of range/,
      },
      {
        what: 'Alertmanager endsAt',
        c: am,
        body: amAlert({ service: 'ts-e' }, { status: 'resolved', endsAt: '8640000000000001' }),
        field: /alerts\[0\]\.endsAt: out of range/,
      },
      {
        what: 'Alertmanager RFC 3339 pushed past 9999 by its offset',
        c: am,
        body: amAlert({ service: 'ts-f' }, { startsAt: '9999-12-31T23:59:59-23:59' }),
        field: /alerts\[0\]\.startsAt: out of range/,
      },
      {
        what: 'Datadog date',
        c: dd,
        body: { ...fixture('datadog/triggered.json'), date: String(ns) },
        field: /date: out of range/,
      },
      {
        what: 'Datadog last_updated',
        c: dd,
        body: { ...fixture('datadog/triggered.json'), last_updated: 8640000000000001 },
        field: /last_updated: out of range/,
      },
    ];
    const results = [];
    for (const k of cases) {
      const r = await send(k.c.id, json(k.body), bearer(k.c.token));
      results.push({ what: k.what, status: r.status });
      expect(r.status, k.what).toBe(400);
      expect(r.body.error, k.what).toBe('invalid_payload');
      expect(r.body.message, k.what).toMatch(k.field);
    }
    expect(await storedCounts(db())).toEqual(before);
    // The largest accepted time still goes through, as the upper bound documented in docs/connectors.md.
    const edge = await send(
      gen.id,
      json(genericSignal({ serviceName: 'ts-edge', severity: 'info', startsAt: '9999-12-31T23:59:59Z' })),
      bearer(gen.token),
    );
    expect(edge.status).toBe(202);
    console.log(
      JSON.stringify({
        reliability: { test: 'hostile-timestamps', dialect, refused400: results.length, of: cases.length },
      }),
    );
  });

  it('an alert annotation with <!everyone> and a disguised link is shown escaped in the pinned summary, never relayed', async () => {
    const r = await send(
      am.id,
      json({
        ...amAlert({ service: 'evil-svc' }),
        alerts: [{ ...amAlert({ service: 'evil-svc' }).alerts[0], annotations: { summary: EVIL, description: EVIL } }],
      }),
      bearer(am.token),
    );
    expect(r.status).toBe(202);
    const { msg } = await pinnedSummary('evil-svc');
    const shown = mrkdwnOf(msg);
    expect(shown).not.toMatch(BROADCAST);
    expect(shown).toContain('&lt;!everyone&gt; DB down &lt;http://evil.example/login|Click to re-authenticate&gt;');
    const rollupOrPosts = (
      await db()
        .selectFrom('incidents')
        .select('channel_id')
        .where('service', '=', 'evil-svc')
        .executeTakeFirstOrThrow()
    ).channel_id!;
    for (const m of h.slack.messages(rollupOrPosts))
      expect(mrkdwnOf(m), 'every message of the channel').not.toMatch(BROADCAST);
  });

  it('a 10 KB service label and NUL characters are capped and cleaned: the summary is accepted, every field within 2,000', async () => {
    const long = `svc-${'x'.repeat(10_240)}`;
    const r = await send(
      am.id,
      json(amAlert({ service: long, env: `prod\u0000${'e'.repeat(500)}`, alertname: 'Nul\u0000Alert' })),
      bearer(am.token),
    );
    expect(r.status).toBe(202);
    expect(r.body.warnings.join(' ')).toMatch(/serviceName \(10244 characters, limit 200\)/);
    const stored = long.slice(0, 199) + '…';
    const { inc, msg } = await pinnedSummary(stored);
    expect(inc.service!.length).toBe(200);
    expect(inc.environment).not.toContain('\u0000');
    const fields = (msg.blocks as any[]).flatMap((b) => b.fields ?? []).map((f: { text: string }) => f.text.length);
    expect(Math.max(...fields)).toBeLessThanOrEqual(2000);
    console.log(
      JSON.stringify({
        reliability: {
          test: 'hostile-lengths',
          dialect,
          serviceSent: long.length,
          serviceStored: inc.service!.length,
          longestField: Math.max(...fields),
        },
      }),
    );
  });

  it('`/incident note <!everyone> <!subteam^S123>` is posted escaped; user mentions and channel links survive', async () => {
    const d = await h.command('declare sev3 Hostile notes');
    expect(d.status).toBe(200);
    await h.settle();
    const inc = await db()
      .selectFrom('incidents')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('title', '=', 'Hostile notes')
      .executeTakeFirstOrThrow();
    const ch = inc.channel_id!;
    for (const cmd of [
      'note <!everyone> <!subteam^S123|@oncall> ask <@U0002> in <#C0001|ops>',
      'update <!here> <http://evil.example|status page>',
      'action <!channel> rotate keys',
      'status investigating <!everyone> looking',
    ]) {
      const r = await h.command(cmd, { channel: ch });
      expect(r.status, cmd).toBe(200);
      expect(r.body.text, cmd).not.toMatch(/:warning:|:x:/);
    }
    await h.settle();
    const posts = h.slack.messages(ch).filter((m) => m.ts !== inc.summary_ts);
    const all = posts.map(mrkdwnOf).join('\n');
    expect(all).not.toMatch(BROADCAST);
    expect(all).toContain('&lt;!everyone&gt; &lt;!subteam^S123|@oncall&gt; ask <@U0002> in <#C0001|ops>');
    expect(all).toContain('&lt;!here&gt;');
    const summary = h.slack.messages(ch).find((m) => m.ts === inc.summary_ts)!;
    expect(mrkdwnOf(summary)).not.toMatch(BROADCAST);
    const tl = await h.command('timeline', { channel: ch });
    expect(mrkdwnOf(tl.body)).not.toMatch(BROADCAST);
    expect(mrkdwnOf(tl.body)).toContain('noted: &lt;!everyone&gt;');
    console.log(
      JSON.stringify({
        reliability: { test: 'hostile-mentions', dialect, messagesChecked: posts.length + 2, broadcastsRelayed: 0 },
      }),
    );
  });

  it('a title of only zero-width or bidi characters is refused, from Slack and from an alert', async () => {
    const before = await db()
      .selectFrom('incidents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const r = await h.command('declare sev2 \u200B\u200C\u200D\u2060\uFEFF\u202E\u2066');
    expect(r.status).toBe(200);
    expect(r.body.text).toMatch(/give the title/i);
    const after = await db()
      .selectFrom('incidents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    // An alert whose title is invisible still opens an incident, with a visible fallback title.
    const a = await send(
      gen.id,
      json(genericSignal({ serviceName: 'zw-svc', severity: 'critical', title: '\u200B\u200B' })),
      bearer(gen.token),
    );
    expect(a.status).toBe(202);
    expect(a.body.warnings.join(' ')).toMatch(/no visible characters/);
    expect((await incidentOf('zw-svc'))?.title).toBe('Alert on zw-svc');
  });
});
