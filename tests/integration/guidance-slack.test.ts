import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai-fake.server';
import type { FakeMessage } from '../../src/adapters/slack-fake/slack-fake.server';
import { commands } from '../../src/cli';
import { GUIDANCE_ADD_ACTION, encodeGuidanceActionValue } from '../../src/adapters/slack/guidance/guidance.blocks';
import { ADMIN, type Harness, SIGNING_SECRET, TEAM, startHarness, waitFor } from '../helpers/harness';
import { blockActionsPayload, viewSubmissionPayload } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';

const VIEWER = 'U0VIEW1';
const RUNBOOK = `# Checkout
## Diagnosis
- [safe] Check the checkout p99 latency dashboard
- Is the payment provider slow?
## Mitigation
- [caution] Scale checkout to 10 pods
- [dangerous] Restart the checkout database primary
`;

type Button = { action_id: string; value: string };
type Block = { type: string; block_id?: string; text?: { text: string }; accessory?: Button; elements?: { text: string }[] };

function runbookDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-guidance-slack-'));
  writeFileSync(path.join(dir, 'checkout.md'), RUNBOOK);
  return dir;
}

/** Declare through the modal (the only way to give a service from Slack); returns the incident row once its channel is open. */
async function declare(h: Harness, title: string, service: string) {
  await h.interact(
    viewSubmissionPayload({
      teamId: TEAM,
      userId: ADMIN,
      viewId: `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      callbackId: 'declare_incident_modal',
      privateMetadata: JSON.stringify({ channelId: 'CGENERAL' }),
      values: {
        title: { title: { type: 'plain_text_input', value: title } },
        severity: { severity: { type: 'static_select', selected_option: { value: 'SEV2' } } },
        service: { service: { type: 'plain_text_input', value: service } },
        description: { description: { type: 'plain_text_input', value: null } },
      },
    }),
  );
  await h.settle();
  return h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('title', '=', title).executeTakeFirstOrThrow();
}

/** `/incident <text>` for a slow subcommand: the answer the user sees arrives on response_url. */
async function slowCommand(h: Harness, text: string, o: { channel: string; user?: string; triggerId?: string; retryNum?: number }) {
  const seen = h.slack.responses.length;
  const ack = await h.command(text, o);
  expect(ack.status).toBe(200);
  expect(ack.ms).toBeLessThan(3000);
  const res = await waitFor(() => h.slack.responses.slice(seen).find((r) => !/Working on/.test(String((r.body as { text?: string }).text))), 10_000, `answer to ${text}`);
  await h.settle();
  return String((res.body as { text: string }).text);
}

const threadReplies = (h: Harness, inc: { channel_id: string | null; summary_ts: string | null }): FakeMessage[] =>
  h.slack.messages(inc.channel_id!).filter((m) => m.thread_ts === inc.summary_ts && m.ts !== inc.summary_ts);
const guidanceEvents = (h: Harness, incidentId: string) =>
  h.tdb.db.selectFrom('incident_events').select(['actor', 'payload']).where('incident_id', '=', incidentId).where('type', '=', 'GUIDANCE_GENERATED').execute();
const blockWith = (msg: FakeMessage, needle: string) => (msg.blocks as Block[]).find((b) => b.text?.text.includes(needle));

describe.each(dialects())('guidance, runbooks and search in Slack (%s)', (dialect) => {
  describe('without an AI key', () => {
    let h: Harness;
    let dir: string;
    let current: Awaited<ReturnType<typeof declare>>;
    let past: Awaited<ReturnType<typeof declare>>;
    let unrelated: Awaited<ReturnType<typeof declare>>;
    let disk: Awaited<ReturnType<typeof declare>>;

    beforeAll(async () => {
      dir = runbookDir();
      h = await startHarness(dialect, { RUNBOOKS_DIR: dir });
      past = await declare(h, 'Checkout latency spike after deploy', 'checkout');
      await h.command('action Roll back checkout to the previous release', { channel: past.channel_id! });
      await h.command('status resolved Rolled back', { channel: past.channel_id! });
      unrelated = await declare(h, 'Payments API latency in EU', 'payments');
      await h.command('status resolved Provider fixed it', { channel: unrelated.channel_id! });
      disk = await declare(h, 'Disk full on build runners', 'ci');
      current = await declare(h, 'Checkout p99 latency high', 'checkout');
      await h.command(`access grant <@${VIEWER}|vic> viewer`);
      await h.settle();
      await h.app.deps.searchIndexer!.flush();
    });
    afterAll(async () => {
      await h?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('posts runbook steps with safety tags and related incidents in the summary thread, and tells the caller which generator', async () => {
      const before = h.slack.messages(current.channel_id!, { includeReplies: false }).length;
      const answer = await slowCommand(h, 'guidance', { channel: current.channel_id!, user: VIEWER });
      expect(answer).toMatch(new RegExp(`Guidance for INC-${current.number} posted in the thread`));
      expect(answer).toContain('From runbooks and past incidents (no AI configured)');

      const [msg] = threadReplies(h, current);
      expect(msg?.text).toMatch(/^Guidance for INC-/);
      expect(h.slack.messages(current.channel_id!, { includeReplies: false })).toHaveLength(before); // nothing top-level
      expect(blockWith(msg, 'Scale checkout to 10 pods')?.text?.text).toContain(':large_yellow_circle: *Caution*');
      expect(blockWith(msg, 'Restart the checkout database primary')?.text?.text).toContain(':red_circle: *Dangerous*');
      expect(blockWith(msg, 'Check the checkout p99 latency dashboard')?.text?.text).toContain(':large_green_circle: *Safe*');
      expect(blockWith(msg, 'Roll back checkout to the previous release')?.text?.text).toContain(`from INC-${past.number}`);
      const related = blockWith(msg, 'Related incidents')!.text!.text;
      expect(related).toContain(`INC-${past.number}*`);
      // Related means sharing substance (issue 16): "latency" is in 3 of the 4 incidents, so the payments one,
      // which shares nothing else (no service, signal or rare word), is not related.
      expect(related).not.toContain(`INC-${unrelated.number}*`);
      expect(related).toMatch(/same service \(checkout\)/);
      expect(related).not.toContain('Disk full');

      // A viewer may ask; the log says who did and how the guidance was made.
      const events = await guidanceEvents(h, current.id);
      expect(events).toHaveLength(1);
      expect(events[0].actor).toBe(VIEWER);
      expect(JSON.parse(events[0].payload)).toMatchObject({ generator: 'deterministic', actionCount: expect.any(Number) });
    });

    it('a Slack retry of the same request neither records nor posts again', async () => {
      const triggerId = '4242.1.guidance-retry';
      await slowCommand(h, 'guidance', { channel: current.channel_id!, triggerId });
      const posted = threadReplies(h, current).length;
      const recorded = (await guidanceEvents(h, current.id)).length;
      const again = await slowCommand(h, 'guidance', { channel: current.channel_id!, triggerId, retryNum: 1 });
      expect(again).toMatch(/already posted/);
      expect(threadReplies(h, current)).toHaveLength(posted);
      expect(await guidanceEvents(h, current.id)).toHaveLength(recorded);
    });

    it('Add to actions appends a follow-up; forged, foreign and repeated presses are refused', async () => {
      const msg = threadReplies(h, current)[0];
      const button = (msg.blocks as Block[]).map((b) => b.accessory).find((a) => a?.action_id === GUIDANCE_ADD_ACTION && a.value.includes('Scale checkout'))!;
      const press = async (value: string, o: { user?: string; team?: string; channel?: string } = {}) => {
        const seen = h.slack.responses.length;
        const channel = o.channel ?? current.channel_id!;
        const r = await h.interact(
          blockActionsPayload({
            teamId: o.team ?? TEAM,
            userId: o.user ?? ADMIN,
            channel: { id: channel },
            message: { ts: msg.ts, type: 'message' },
            responseUrl: h.slack.responseUrl(undefined, { teamId: o.team ?? TEAM, channelId: channel, userId: o.user ?? ADMIN }),
            actions: [{ actionId: GUIDANCE_ADD_ACTION, blockId: 'guidance_action_0', value }],
          }),
        );
        expect(r.status).toBe(200);
        const res = await waitFor(() => h.slack.responses[seen], 5000, 'button answer');
        return String((res.body as { text: string }).text);
      };
      const actions = (incidentId: string) => h.tdb.db.selectFrom('incident_actions').select('text').where('incident_id', '=', incidentId).execute();
      const pastBefore = await actions(past.id);

      expect(await press(button.value)).toMatch(new RegExp(`Added to the follow-ups of INC-${current.number}`));
      expect((await actions(current.id)).map((a) => a.text)).toEqual(['Scale checkout to 10 pods']);
      expect(await press(button.value)).toMatch(/already an open follow-up/);

      const forged = encodeGuidanceActionValue({ incidentId: past.id, text: 'Drop the checkout database', safety: 'safe' });
      expect(await press(forged)).toMatch(/:warning: .*another incident/);
      expect(await press(button.value, { team: 'T0OTHER', user: 'U0OTHER' })).toMatch(/:warning: .*another incident/);
      expect(await press('{"v":1,"i":"x"')).toMatch(/:warning: .*no longer be added/);
      const other = encodeGuidanceActionValue({ incidentId: current.id, text: 'Page the payments team', safety: 'safe' });
      expect(await press(other, { user: VIEWER })).toMatch(/:warning: .*responder/);
      await h.settle();
      expect((await actions(current.id)).map((a) => a.text)).toEqual(['Scale checkout to 10 pods']);
      expect(await actions(past.id)).toEqual(pastBefore);
    });

    it('/incident list [open|all] <query> returns ranked matches of this workspace only', async () => {
      const all = (await h.command('list all checkout latency', { channel: 'CGENERAL' })).body.text as string;
      const order = [past, current, unrelated].map((i) => all.indexOf(`INC-${i.number}`));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect(Math.max(order[0], order[1])).toBeLessThan(order[2]); // both checkout incidents above the payments one
      expect(all).not.toContain(`INC-${disk.number}`); // "Disk full" matches nothing
      const open = (await h.command('list checkout latency', { channel: 'CGENERAL' })).body.text as string;
      expect(open).toContain(`INC-${current.number}`);
      expect(open).not.toContain(`INC-${past.number}`);
      expect((await h.command('list all checkout', { team: 'T0OTHER', user: 'U0OTHER' })).body.text).toMatch(/No incidents match/);
      expect((await h.command('list all')).body.text).toContain(`INC-${past.number}`); // plain list unchanged
    });

    it('`revenant projections rebuild` also rebuilds the search index', async () => {
      const search = async () => (await h.command('list all checkout latency')).body.text as string;
      await sql`delete from ${sql.table(dialect === 'postgres' ? 'incident_search' : 'incident_search_fts')}`.execute(h.tdb.db);
      expect(await search()).not.toContain(`INC-${unrelated.number}`); // found by text only
      const out: string[] = [];
      const log = console.log;
      console.log = (line: string) => out.push(line);
      try {
        await commands['projections rebuild']({ flags: {}, db: h.tdb.db, config: h.config });
      } finally {
        console.log = log;
      }
      expect(JSON.parse(out[0])).toMatchObject({ rebuilt: true, indexed: 4 });
      expect(await search()).toContain(`INC-${unrelated.number}`);
    });

    it('shows a runbook with its tags; SRE leads set a link or paste markdown, which then wins over the file', async () => {
      const show = async (text: string, channel = 'CGENERAL', user = ADMIN) => JSON.stringify((await h.command(text, { channel, user })).body);
      const file = await show('runbook checkout', 'CGENERAL', VIEWER);
      expect(file).toContain('from the runbooks folder');
      expect(file).toContain(':large_yellow_circle: *Caution* Scale checkout to 10 pods');
      expect(await show('runbook', current.channel_id!)).toContain('Runbook: Checkout'); // the incident's service
      expect(await show('runbook')).toContain('`checkout`'); // outside an incident: the list

      expect(await show('runbook checkout set <https://wiki.example.com/checkout>', 'CGENERAL', VIEWER)).toMatch(/SRE lead role/);
      expect(await show('runbook checkout set <https://wiki.example.com/checkout|wiki>')).toContain('saved: https://wiki.example.com/checkout');
      const linked = await show('runbook checkout');
      expect(linked).toContain('stored for this workspace');
      expect(linked).toContain('https://wiki.example.com/checkout');
      expect(linked).toContain('Scale checkout to 10 pods'); // a link keeps the file's steps

      const r = await h.command('runbook checkout edit');
      const opened = await waitFor(() => h.slack.callsTo('views.open').find((c) => c.params.trigger_id === r.triggerId), 3000, 'views.open');
      const view = (typeof opened.params.view === 'string' ? JSON.parse(opened.params.view) : opened.params.view) as { callback_id: string; private_metadata: string; blocks: { element?: { initial_value?: string } }[] };
      expect(opened.response.ok).toBe(true); // the fake validates the view like Slack does
      expect(view.callback_id).toBe('runbook_edit_modal');
      expect(view.blocks[1].element?.initial_value).toBe(RUNBOOK);
      const submit = (user: string, markdown: string) =>
        h.interact(
          viewSubmissionPayload({
            teamId: TEAM,
            userId: user,
            viewId: 'V0RUNBOOK',
            callbackId: 'runbook_edit_modal',
            privateMetadata: view.private_metadata,
            values: { runbook_markdown: { runbook_markdown: { type: 'plain_text_input', value: markdown } }, runbook_url: { runbook_url: { type: 'url_text_input', value: null } } },
          }),
        );
      const refused = await submit(VIEWER, '# Hijack\n- [safe] rm -rf /');
      expect(JSON.stringify(refused.body)).toMatch(/SRE lead role/);
      expect((await submit(ADMIN, '# Checkout v2\n## Mitigation\n- [dangerous] Fail over to the secondary region\n')).status).toBe(200);
      const stored = await show('runbook checkout');
      expect(stored).toContain(':red_circle: *Dangerous* Fail over to the secondary region');
      expect(stored).not.toContain('Scale checkout to 10 pods');
      expect(await show('runbook checkout clear')).toMatch(/applies again/);
      expect(await show('runbook checkout')).toContain('from the runbooks folder');
    });
  });

  describe('with OPENAI_API_KEY at the OpenAI fake', () => {
    let h: Harness;
    let fake: OpenAiFake;
    let dir: string;
    let inc: Awaited<ReturnType<typeof declare>>;

    beforeAll(async () => {
      dir = runbookDir();
      fake = await startOpenAiFake();
      h = await startHarness(dialect, { RUNBOOKS_DIR: dir, OPENAI_API_KEY: 'sk-test-guidance-slack-0123', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'gpt-test', OPENAI_TIMEOUT_MS: '500' });
      inc = await declare(h, 'Checkout p99 latency high', 'checkout');
      await h.command(`note someone pasted xoxb-test and ${SIGNING_SECRET} here`, { channel: inc.channel_id! });
      await h.settle();
    });
    afterAll(async () => {
      await h?.close();
      await fake?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('uses a good answer, says which model drafted it, and sends no secrets', async () => {
      fake.respondWith({
        json: {
          actions: [
            { text: 'Scale checkout to 10 pods', safety: 'safe', source: { kind: 'runbook', section: 'Mitigation' } },
            { text: 'Compare p99 before and after the last deploy', safety: 'safe', source: { kind: 'model' } },
          ],
          questions: ['Did the last deploy touch the payment client?'],
        },
      });
      const answer = await slowCommand(h, 'guidance', { channel: inc.channel_id! });
      expect(answer).toContain('Drafted by gpt-test');
      const msg = threadReplies(h, inc).at(-1)!;
      expect(blockWith(msg, 'Compare p99 before and after the last deploy')?.text?.text).toContain('AI suggestion');
      expect(blockWith(msg, 'Scale checkout to 10 pods')?.text?.text).toContain('*Caution*'); // the runbook's tag wins over the model's
      const raw = fake.requests.at(-1)!.raw;
      expect(raw).toContain('Checkout p99 latency high');
      for (const secret of ['xoxb-test', SIGNING_SECRET, 'sk-test-guidance-slack-0123']) expect(raw).not.toContain(secret);
      const [event] = await guidanceEvents(h, inc.id);
      expect(JSON.parse(event.payload)).toMatchObject({ generator: 'llm', model: 'gpt-test', promptVersion: 'guidance-v1', tokens: expect.any(Number) });
    });

    it.each([
      ['HTTP 500', { status: 500 }, 'model API returned HTTP 500'],
      ['a slow answer', { json: {}, delayMs: 2000 }, 'timed out after 0.5 s'],
      ['invalid JSON', { invalidJson: true }, 'the model returned invalid JSON'],
    ])('falls back to runbook guidance on %s and says so', async (_name, reply, reason) => {
      fake.respondWith(reply);
      const posted = threadReplies(h, inc).length;
      const answer = await slowCommand(h, 'guidance', { channel: inc.channel_id! });
      expect(answer).toContain(`AI unavailable (${reason}), showing runbook guidance`);
      const msg = threadReplies(h, inc).at(-1)!;
      expect(threadReplies(h, inc)).toHaveLength(posted + 1);
      expect(JSON.stringify(msg.blocks)).toContain(`AI unavailable (${reason})`);
      expect(blockWith(msg, 'Scale checkout to 10 pods')?.text?.text).toContain('runbook checkout');
    });
  });
});
