import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEAM, waitFor } from '../helpers/harness';
import { dialects } from '../helpers/test-db';
import { FIXTURE_SECRETS, PINNED_DECISIONS, seedBusyChannel } from '../helpers/catchup.fixture';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';

const TIMEOUT = 90_000;

/** Declares an incident, runs it a little, then fills its channel with the 300-message fixture. */
async function busyIncident(h: Harness) {
  await h.command('declare sev2 Search results are stale', { user: 'U0002' });
  await h.settle();
  const inc = await h.tdb.db
    .selectFrom('incidents')
    .selectAll()
    .where('org_id', '=', TEAM)
    .where('number', '=', 1)
    .executeTakeFirstOrThrow();
  const ch = inc.channel_id!;
  for (const text of [
    'assign commander <@U0003|carol>',
    'status investigating Indexer lag found',
    'severity sev1',
    'action Add an alert on indexer lag <@U0004|dave>',
    'update Failing over reads to the replica cluster',
  ]) {
    expect((await h.command(text, { channel: ch })).body.text, text).not.toMatch(/:warning:|:x:/);
  }
  await h.settle();
  seedBusyChannel(h.slack, ch, Date.now());
  return { inc, ch };
}

/** `/incident catchup …` as `user`: the ack, then the answer that arrives on response_url. */
async function catchup(h: Harness, ch: string, args = '', user = 'U0001') {
  const before = h.slack.responses.length;
  const ack = await h.command(`catchup ${args}`.trim(), { channel: ch, user });
  let answer: { text: string; blocks: unknown[]; response_type?: string } | undefined;
  await waitFor(
    async () => {
      const r = h.slack.responses
        .slice(before)
        .find((x) => JSON.stringify(x.body).includes('Catch-up') || JSON.stringify(x.body).includes(':warning:'));
      answer = r?.body as never;
      return !!answer;
    },
    30_000,
    'catch-up answer on response_url',
  );
  return { ack, answer: answer!, all: JSON.stringify(answer) };
}

describe.each(dialects())('/incident catchup on a busy channel (%s)', (dialect) => {
  describe('without a model', () => {
    let h: Harness;
    let ch: string;
    beforeAll(async () => {
      h = await startHarness(dialect);
      ({ ch } = await busyIncident(h));
    }, TIMEOUT);
    afterAll(async () => h?.close());

    it(
      'acks at once and answers only the caller: status and severity changes, latest update, pinned decisions',
      async () => {
        const { ack, answer, all } = await catchup(h, ch, '3h');
        expect(ack.status).toBe(200);
        expect(ack.ms).toBeLessThan(3000);
        expect(ack.body.text).toMatch(/Working on `catchup`/);
        expect(ack.body.response_type).toBe('ephemeral');
        expect(answer.response_type).toBe('ephemeral');
        expect(all).toContain('open → *investigating*');
        expect(all).toContain('Indexer lag found');
        expect(all).toContain('SEV2 → *SEV1*');
        expect(all).toContain('Failing over reads to the replica cluster');
        for (const d of PINNED_DECISIONS) expect(all).toContain(d);
        expect(all).toContain('Root cause: the mapping change in v42'); // most reacted
        expect(all).toContain('Add an alert on indexer lag');
        expect(all).toContain('commander <@U0003>');
        expect(all).toContain('Deterministic digest: no AI model is configured');
        expect(all).toMatch(/Read 3\d\d messages\./); // 300 + 3 thread replies + the bot's posts
        for (const s of FIXTURE_SECRETS) expect(all).not.toContain(s);
      },
      TIMEOUT,
    );

    it(
      'is deterministic for the same window, and defaults to since your last message',
      async () => {
        const since = new Date(Date.now() - 3 * 3600_000).toISOString();
        const a = await catchup(h, ch, since);
        const b = await catchup(h, ch, since);
        expect(a.all).toEqual(b.all);
        // U0002 last posted 2 minutes ago in the fixture (message 296): only what came after.
        const mine = await catchup(h, ch, '', 'U0002');
        expect(mine.all).toContain('your last message here');
        expect(mine.all).toContain('<@U0003> (1)'); // message 297 is the only fixture message of U0003 after it
        expect(mine.all).not.toContain('<@U0002> (');
        expect(mine.all).not.toContain(PINNED_DECISIONS[0]);
      },
      TIMEOUT,
    );

    it(
      'a bad since is refused with a reason; outside an incident channel it says where it works',
      async () => {
        const bad = await catchup(h, ch, 'last tuesday');
        expect(bad.all).toMatch(/not a time or duration/);
        const outside = await h.command('catchup', { channel: 'CGENERAL' });
        expect(outside.body.text).toMatch(/works inside an incident channel/);
      },
      TIMEOUT,
    );
  });

  describe('with a model at the OpenAI fake', () => {
    let h: Harness;
    let fake: OpenAiFake;
    let ch: string;
    beforeAll(async () => {
      fake = await startOpenAiFake();
      h = await startHarness(dialect, {
        OPENAI_API_KEY: 'sk-test-catchup-0123456789',
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'gpt-test',
        OPENAI_TIMEOUT_MS: '2000',
      });
      ({ ch } = await busyIncident(h));
    }, TIMEOUT);
    afterAll(async () => {
      await h?.close();
      await fake?.close();
    });

    it(
      'falls back to the deterministic digest when the model returns garbage, and says so',
      async () => {
        fake.respondOnce({ content: 'Sure! Here is your summary: everything is fine :)' });
        const notJson = await catchup(h, ch, '3h');
        expect(notJson.all).toContain('Deterministic digest: the model returned something that is not JSON');
        expect(notJson.all).toContain('SEV2 → *SEV1*');
        fake.respondOnce({ json: { summary: 42, open_questions: 'none' } });
        const wrongShape = await catchup(h, ch, '3h');
        expect(wrongShape.all).toContain('Deterministic digest: the model answer did not have the expected shape');
        fake.respondOnce({ status: 500 });
        const down = await catchup(h, ch, '3h');
        expect(down.all).toContain('Deterministic digest: the model API returned HTTP 500');
      },
      TIMEOUT,
    );

    it(
      'a usable answer is shown as the summary above the facts',
      async () => {
        fake.respondOnce({
          json: {
            summary: 'Search is degraded by indexer lag after mapping v42; reads are failing over to the replica.',
            open_questions: ['Is the replica keeping up?'],
          },
        });
        const ok = await catchup(h, ch, '3h');
        expect(ok.all).toContain('Search is degraded by indexer lag after mapping v42');
        expect(ok.all).toContain('Is the replica keeping up?');
        expect(ok.all).toContain('Summary written by gpt-test');
        expect(ok.all).toContain('Failing over reads to the replica cluster');
      },
      TIMEOUT,
    );

    it(
      'no secret from the fixture reaches the model',
      async () => {
        const prompts = fake.requests.filter((r) => r.path === '/v1/chat/completions');
        expect(prompts.length).toBeGreaterThanOrEqual(4);
        // Every prompt covered the whole fixture (all four secrets were in the window).
        expect(prompts.every((p) => p.raw.includes('message 45:') && p.raw.includes('message 295:'))).toBe(true);
        const all = prompts.map((p) => p.raw).join('\n');
        for (const s of FIXTURE_SECRETS) expect(all).not.toContain(s);
        expect(all).not.toContain('sk-test-catchup-0123456789');
        expect(all).not.toContain('xoxb-test');
        expect(all).toContain('[redacted]');
      },
      TIMEOUT,
    );
  });

  describe('with CATCHUP_MAX_MESSAGES=120', () => {
    let h: Harness;
    let ch: string;
    beforeAll(async () => {
      h = await startHarness(dialect, { CATCHUP_MAX_MESSAGES: '120' });
      ({ ch } = await busyIncident(h));
    }, TIMEOUT);
    afterAll(async () => h?.close());

    it(
      'reads at most the limit, newest first, and says the digest is cut short',
      async () => {
        const { all } = await catchup(h, ch, '3h');
        expect(all).toContain('Read only the latest 120 messages (limit 120)');
        expect(all).toContain(PINNED_DECISIONS[1]); // message 250: among the newest
        expect(all).toContain('SEV2 → *SEV1*'); // the log is read whole; only the channel is bounded
        const reads = h.slack
          .callsTo('conversations.history')
          .filter((c) => c.params.channel === ch && c.params.oldest);
        const limits = reads.map((c) => Number(c.params.limit));
        expect(limits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(120 * 3); // three catch-ups at most ever asked
        expect(Math.max(...limits)).toBeLessThanOrEqual(120);
      },
      TIMEOUT,
    );
  });
});
