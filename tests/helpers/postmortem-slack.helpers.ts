import type { FakeMessage } from '../../src/adapters/slack-fake/slack-fake.server';
import { IDS } from '../../src/adapters/slack/ids';
import type { IncidentRow } from '../../src/adapters/db/schema';
import { ADMIN, type Harness, TEAM, waitFor } from './harness';
import { blockActionsPayload, fakeTriggerId } from './slack-signing';

/**
 * A clock for `startRevenant({ now })`, so an incident can take "47 minutes" in a test. `set` stops
 * it at an instant (commands then carry exactly that time); `run` lets it go on at real speed from
 * there (retries and delayed effects need time to pass). It must stay behind the real clock: the
 * harness settles the outbox by real time.
 */
export function testClock() {
  let frozen: number | undefined;
  let offset = 0;
  const current = () => frozen ?? Date.now() + offset;
  let started = false;
  return {
    now: () => new Date(current()),
    set(iso: string) {
      const want = Date.parse(iso);
      if (started && want < current()) throw new Error(`the test clock only moves forward (to ${iso})`);
      if (want > Date.now()) throw new Error(`the test clock must stay in the past (${iso})`);
      started = true;
      frozen = want;
    },
    run() {
      offset = current() - Date.now();
      frozen = undefined;
    },
  };
}

export const incidentByNumber = (h: Harness, n: number) =>
  h.tdb.db.selectFrom('incidents').selectAll().where('org_id', '=', TEAM).where('number', '=', n).executeTakeFirstOrThrow();

export const eventsOf = (h: Harness, incidentId: string) =>
  h.tdb.db.selectFrom('incident_events').select(['type', 'payload', 'seq']).where('incident_id', '=', incidentId).orderBy('seq').execute();

const hasAction = (m: FakeMessage, actionId: string) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${actionId}"`);

/** Preview messages in a channel, oldest first. */
export const previewsIn = (h: Harness, channelId: string) => h.slack.messages(channelId).filter((m) => hasAction(m, IDS.postmortemCreatePr));

/** The action ids of a message's buttons, in order. */
export const buttonsOf = (m: FakeMessage): string[] =>
  ((m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id?: string }>; accessory?: { action_id?: string } }>).flatMap((b) => [
    ...(b.elements ?? []).map((e) => e.action_id).filter((a): a is string => !!a),
    ...(b.accessory?.action_id ? [b.accessory.action_id] : []),
  ]);

export interface PressOptions {
  channel: string;
  message?: FakeMessage;
  value?: string;
  user?: string;
  team?: string;
}

/** Presses a button with a Slack-signed block_actions request; returns the response_url id to read the reply from. */
export async function press(h: Harness, actionId: string, o: PressOptions) {
  const team = o.team ?? TEAM;
  const user = o.user ?? ADMIN;
  const responseUrl = h.slack.responseUrl(undefined, { teamId: team, channelId: o.channel, userId: user, messageTs: o.message?.ts });
  const payload = blockActionsPayload({
    teamId: team,
    userId: user,
    triggerId: fakeTriggerId(),
    channel: { id: o.channel, name: 'incident' },
    message: o.message ? { type: 'message', ts: o.message.ts, text: o.message.text, blocks: o.message.blocks } : { type: 'message', ts: '1.000001' },
    responseUrl,
    actions: [{ actionId, blockId: 'postmortem_actions', value: o.value ?? '1' }],
  });
  const res = await h.interact(payload);
  if (res.status !== 200) throw new Error(`block_actions answered ${res.status}`);
  return responseUrl.split('/').pop()!;
}

/** Every text posted to a response_url, in order. */
export const repliesTo = (h: Harness, responseId: string) =>
  h.slack.responses.filter((r) => r.id === responseId).map((r) => String((r.body as { text?: string }).text ?? ''));

/** Waits for a reply at the response_url that matches (ephemeral answers to a press or a slow command). */
export const replyTo = (h: Harness, responseId: string, match: RegExp = /./, timeoutMs = 8000) =>
  waitFor(() => repliesTo(h, responseId).find((t) => match.test(t)), timeoutMs, `a reply matching ${match}`);

/** `/incident postmortem` in the channel; resolves once the slow answer arrived and the outbox settled. */
export async function runPostmortemCommand(h: Harness, inc: Pick<IncidentRow, 'channel_id'>, o: { triggerId?: string; retryNum?: number } = {}) {
  const before = h.slack.responses.length;
  const r = await h.command('postmortem', { channel: inc.channel_id!, triggerId: o.triggerId, retryNum: o.retryNum });
  if (!/Working on/.test(String(r.body?.text))) throw new Error(`unexpected ack: ${r.raw}`);
  const answer = await waitFor(() => h.slack.responses.slice(before).find((x) => /draft v\d+/.test(String((x.body as { text?: string }).text))), 10_000, 'the postmortem answer');
  await h.settle();
  return String((answer.body as { text: string }).text);
}
