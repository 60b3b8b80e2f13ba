import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN, type Harness, startHarness, TEAM } from '../helpers/harness';
import { auditEffects, slackSnapshot } from '../helpers/reliability-checks';
import { dialects } from '../helpers/test-db';

/**
 * A scripted day of incidents, run once against a healthy Slack and once against a Slack that fails
 * 30 % of calls (429 with Retry-After, 500, and hangs longer than our client timeout, after which the
 * call still lands, as a slow Slack does). Both runs must leave the workspace in the same state.
 */

const FAULT_RATE = 0.3;
const SEED = Number(process.env.FAULT_SEED ?? 7);
const FAILED_REPLY = /:warning:|:x:|Something went wrong/;
const WORKING = /^:hourglass_flowing_sand: Working on/;

type Step = { cmd: string; user?: string; inc?: number } | { done: number; nth: number; user?: string };

/** Five incidents through a working day: triage, roles, notes, follow-ups, updates, a cancellation. */
const SCRIPT: Step[] = [
  { cmd: 'declare sev2 Checkout latency spike', user: 'U0002' },
  { cmd: 'declare sev1 Payments API returning 500s', user: 'U0003' },
  { cmd: 'status investigating Looking at the dashboards', inc: 1 },
  { cmd: 'assign commander <@U0003|carol>', inc: 1 },
  { cmd: 'note p99 jumped at 10:02 right after deploy 4411', inc: 1, user: 'U0002' },
  { cmd: 'assign commander <@U0004|dave>', inc: 2, user: 'U0003' },
  { cmd: 'status investigating Card network timeouts', inc: 2, user: 'U0004' },
  { cmd: 'action Add an alert on checkout p99', inc: 1 },
  { cmd: 'declare sev3 Search results stale', user: 'U0005' },
  { cmd: 'update Rolling back deploy 4411', inc: 1, user: 'U0003' },
  { cmd: 'assign comms <@U0005|erin>', inc: 2 },
  { cmd: 'severity sev1', inc: 1 },
  { cmd: 'note Provider confirms an incident on their side', inc: 2, user: 'U0004' },
  { cmd: 'status mitigated Rolled back', inc: 1, user: 'U0003' },
  { cmd: 'action Write a runbook for provider failover', inc: 2, user: 'U0004' },
  { done: 1, nth: 0, user: 'U0003' },
  { cmd: 'status cancelled Duplicate of INC-1', inc: 3 },
  { cmd: 'update Failover to the backup provider in progress', inc: 2, user: 'U0005' },
  { cmd: 'declare sev4 Typo on the status page', user: 'U0001' },
  { cmd: 'status resolved Latency normal for 30 minutes', inc: 1, user: 'U0003' },
  { cmd: 'assign scribe <@U0002|bob>', inc: 4 },
  { cmd: 'note Fixed in the CMS', inc: 4, user: 'U0002' },
  { cmd: 'status mitigated Backup provider serving traffic', inc: 2, user: 'U0004' },
  { cmd: 'severity sev3', inc: 2, user: 'U0004' },
  { cmd: 'status resolved', inc: 4 },
  { cmd: 'declare sev2 Mobile push notifications delayed', user: 'U0004' },
  { cmd: 'status investigating Queue depth growing', inc: 5, user: 'U0004' },
  { cmd: 'action Scale the push workers', inc: 5, user: 'U0004' },
  { done: 5, nth: 0, user: 'U0004' },
  { cmd: 'update Workers scaled, queue draining', inc: 5, user: 'U0004' },
  { cmd: 'status resolved Provider fixed their side', inc: 2, user: 'U0004' },
  { cmd: 'status mitigated', inc: 5, user: 'U0004' },
  { cmd: 'status resolved Queue empty', inc: 5, user: 'U0004' },
];

async function channelOf(h: Harness, n: number): Promise<string> {
  const end = Date.now() + 30_000;
  for (;;) {
    const row = await h.tdb.db.selectFrom('incidents').select('channel_id').where('org_id', '=', TEAM).where('number', '=', n).executeTakeFirst();
    if (row?.channel_id) return row.channel_id;
    if (Date.now() > end) throw new Error(`INC-${n} has no channel`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The command's answer as the person sees it: the ack's text, or, when the ack said it is still working
 * (a slow Slack call inside the command), what the command later posted to its response_url.
 */
async function answered(h: Harness, r: Awaited<ReturnType<Harness['command']>>) {
  let text = String(r.body?.text ?? '');
  if (r.status === 200 && WORKING.test(text)) {
    const end = Date.now() + 30_000;
    let later: { body: unknown } | undefined;
    while (!(later = h.slack.responses.find((x) => x.id === r.responseId))) {
      if (Date.now() > end) throw new Error(`no response_url answer after "${text}"`);
      await new Promise((res) => setTimeout(res, 20));
    }
    text = String((later.body as { text?: string }).text ?? '');
  }
  return { status: r.status, text };
}

/** Run the script as people would: one request at a time; a failed answer is retried the way Slack retries (same request). */
async function runDay(h: Harness) {
  let retried = 0;
  for (const step of SCRIPT) {
    if ('done' in step) {
      const inc = await h.tdb.db.selectFrom('incidents').select(['id', 'channel_id']).where('org_id', '=', TEAM).where('number', '=', step.done).executeTakeFirstOrThrow();
      const action = (await h.tdb.db.selectFrom('incident_actions').select('action_id').where('incident_id', '=', inc.id).orderBy('created_at').execute())[step.nth];
      const payload = {
        type: 'block_actions',
        team: { id: TEAM, domain: 'acme' },
        user: { id: step.user ?? ADMIN, username: 'x', team_id: TEAM },
        api_app_id: 'A0APP0001',
        trigger_id: `9.${step.done}.${step.nth}.done`,
        channel: { id: inc.channel_id!, name: 'x' },
        container: { type: 'message', channel_id: inc.channel_id! },
        message: { ts: '1.1', type: 'message' },
        response_url: h.slack.responseUrl(),
        actions: [{ action_id: 'action_done', block_id: 'b', value: action.action_id, type: 'button', action_ts: '1.2' }],
      };
      const r = await h.interact(payload);
      expect(r.status).toBe(200);
      const end = Date.now() + 10_000;
      while ((await h.tdb.db.selectFrom('incident_actions').select('done').where('action_id', '=', action.action_id).executeTakeFirstOrThrow()).done !== 1) {
        if (Date.now() > end) throw new Error('Done button not applied');
        await new Promise((res) => setTimeout(res, 20));
      }
      continue;
    }
    const channel = step.inc ? await channelOf(h, step.inc) : undefined;
    const triggerId = `${step.cmd.length}.${SCRIPT.indexOf(step)}.day`;
    const send = async (retryNum?: number) => answered(h, await h.command(step.cmd, { user: step.user, channel, triggerId, retryNum }));
    let r = await send();
    for (let retry = 1; retry <= 5 && (r.status !== 200 || FAILED_REPLY.test(r.text)); retry++) {
      retried++;
      r = await send(retry);
    }
    expect(r.status, step.cmd).toBe(200);
    expect(r.text, step.cmd).not.toMatch(FAILED_REPLY);
  }
  try {
    await h.settle(90_000);
  } catch (e) {
    console.error(JSON.stringify(await h.tdb.db.selectFrom('outbox').select(['id', 'kind', 'status', 'attempts', 'next_attempt_at', 'locked_until', 'last_error', 'incident_id']).where('status', '!=', 'done').execute(), null, 1));
    console.error(new Date().toISOString());
    throw e;
  }
  return retried;
}

describe.each(dialects())('fault injection: a day of incidents with 30 percent of Slack calls failing (%s)', (dialect) => {
  const open: Harness[] = [];
  afterAll(async () => {
    for (const h of open) await h.close();
  });
  const start = async () => {
    // Our client gives up after 300 ms; a hung call lands at 400 ms; the first retry waits at least 300 + 200 ms.
    const h = await startHarness(dialect, { SLACK_API_TIMEOUT_MS: '300', ANNOUNCE_CHANNEL: 'incidents' }, { outbox: { backoffBaseMs: 200 } });
    h.slack.addChannel({ name: 'incidents' });
    open.push(h);
    return h;
  };

  it('ends with the same Slack state as a run without faults, every effect exactly once', { timeout: 180_000 }, async () => {
    const clean = await start();
    await runDay(clean);
    const expected = slackSnapshot(clean.slack, TEAM);
    expect((await auditEffects(clean.tdb.db, clean.slack, TEAM)).problems).toEqual([]);

    const t0 = Date.now();
    const faulty = await start();
    faulty.slack.setFaultRate(FAULT_RATE, ['429', '500', 'timeout'], SEED, { hangMs: 400 });
    const retriedRequests = await runDay(faulty);
    const seconds = (Date.now() - t0) / 1000;
    faulty.slack.setFaultRate(0);

    const faults = { '429': 0, '500': 0, timeout: 0 };
    for (const c of faulty.slack.calls) if (c.fault) faults[c.fault]++;
    const total = faulty.slack.calls.length;
    // The faults really happened, at about the rate asked for.
    expect(faults['429']).toBeGreaterThan(0);
    expect(faults['500']).toBeGreaterThan(0);
    expect(faults.timeout).toBeGreaterThan(0);
    const injected = faults['429'] + faults['500'] + faults.timeout;
    expect(injected / total).toBeGreaterThan(0.15);

    const audit = await auditEffects(faulty.tdb.db, faulty.slack, TEAM);
    expect(audit.problems).toEqual([]);
    expect(slackSnapshot(faulty.slack, TEAM)).toEqual(expected);
    const retriedEffects = await faulty.tdb.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('attempts', '>', 1).executeTakeFirstOrThrow();

    console.log(
      JSON.stringify({
        reliability: 'faults',
        dialect,
        seed: SEED,
        slackCalls: total,
        injected,
        faults,
        retriedRequests,
        retriedEffects: Number(retriedEffects.n),
        outboxDone: audit.outboxDone,
        channels: audit.channels,
        slackMessagesWithEffect: audit.messagesWithEffect,
        sameSlackStateAsNoFaults: true,
        seconds,
      }),
    );
  });
});
