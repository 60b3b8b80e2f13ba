import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEAM } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { FUZZ_RUNS, fuzzOptions, nastyText } from './fuzz.helpers';
import { mrkdwnOf } from '../helpers/mrkdwn';

/**
 * The command grammar end to end: hostile `/incident …` texts, signed as Slack signs them, through the real
 * Bolt receiver, services and outbox into the Slack fake. Every request is answered 200 (a refusal is a
 * message, never a 500 or a dropped connection), Slack accepts every message we send (no invalid_blocks,
 * no failed outbox row), and no message relays a broadcast, group mention or disguised link.
 */
const RUNS = Math.max(10, Math.round(FUZZ_RUNS / 5));
const SUBS = [
  'note',
  'update',
  'action',
  'status',
  'severity',
  'assign',
  'declare',
  'list',
  'timeline',
  'runbook',
  'watchlist',
  'help',
  'guidance',
  'digest',
  'catchup',
  'settings',
  'nonsense',
  '',
];
const LEAK = /<!(everyone|channel|here|subteam)|<http:\/\/evil|<mailto:/;

describe.each(dialects())('fuzz: hostile slash commands over signed requests (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  it(`${RUNS} hostile commands: all answered 200, every message accepted by Slack and escaped`, async () => {
    expect((await h.command('declare sev2 Fuzzed incident')).status).toBe(200);
    await h.settle();
    const inc = await h.tdb.db
      .selectFrom('incidents')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('number', '=', 1)
      .executeTakeFirstOrThrow();
    const statuses: number[] = [];
    const command = fc.tuple(
      fc.constantFrom(...SUBS),
      fc.constantFrom('', 'sev1', 'investigating', 'commander <@U0002>'),
      nastyText(12),
      fc.boolean(),
    );
    await fc.assert(
      fc.asyncProperty(command, async ([sub, arg, rest, inChannel]) => {
        const text = `${sub} ${arg} ${rest}`.slice(0, 2900);
        const r = await h.command(text, { channel: inChannel ? inc.channel_id! : 'CGENERAL' });
        statuses.push(r.status);
        expect(r.status, text).toBe(200);
      }),
      { ...fuzzOptions(RUNS), endOnFailure: true },
    );
    await h.settle(20_000);
    const writes = h.slack.writeCalls().filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
    for (const c of writes) expect(mrkdwnOf(c.params as Record<string, unknown>), c.method).not.toMatch(LEAK);
    const refused = h.slack.calls.filter(
      (c) => c.response.ok === false && /invalid_blocks|invalid_arguments|msg_too_long/.test(String(c.response.error)),
    );
    expect(refused.map((c) => `${c.method}: ${String(c.response.error)}`)).toEqual([]);
    const failed = await h.tdb.db
      .selectFrom('outbox')
      .select(['kind', 'last_error'])
      .where('status', '=', 'failed')
      .execute();
    expect(failed).toEqual([]);
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    console.log(
      JSON.stringify({
        reliability: {
          test: 'fuzz-slash-commands',
          dialect,
          commands: statuses.length,
          answered200: statuses.filter((s) => s === 200).length,
          slackWrites: writes.length,
          broadcastsRelayed: 0,
        },
      }),
    );
  }, 120_000);
});
