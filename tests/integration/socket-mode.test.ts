import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { loadConfig } from '../../src/config';
import { type Running, startRevenant } from '../../src/server';
import { type Envelope, type SocketModeFake, startSocketModeFake } from '../fakes/socket-mode-fake';
import { bearer, connector, genericSignal, overSocket } from '../helpers/alerts';
import { ADMIN, TEAM, waitFor } from '../helpers/harness';
import { eventBody, fakeTriggerId, slashCommandBody } from '../helpers/slack-signing';
import { createTestDb, dialects, type TestDb } from '../helpers/test-db';

/**
 * Socket Mode end to end: the real Bolt SocketModeReceiver (started by startRevenant with SLACK_APP_TOKEN)
 * against a Socket Mode fake speaking Slack's protocol over `ws`. Slash commands, a button, a modal and an
 * event arrive as envelopes and must be acknowledged; then the server asks for a refresh and drops the
 * connection while envelopes keep coming: the bot reconnects, and every envelope it acknowledged is in the
 * log exactly once. Connector webhooks are served over HTTP all along.
 */

describe.each(dialects())('Socket Mode end to end (%s)', (dialect) => {
  let slack: SlackFake;
  let socket: SocketModeFake;
  let tdb: TestDb;
  let app: Running;

  beforeAll(async () => {
    slack = await startSlackFake();
    socket = await startSocketModeFake(slack);
    tdb = await createTestDb(dialect);
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: socket.appToken,
      SLACK_API_URL: slack.url,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: tdb.url,
      ADMIN_USER_IDS: ADMIN,
      LOG_LEVEL: 'silent',
    });
    app = await startRevenant(config, {
      db: tdb.db,
      workerPollMs: 20,
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    });
    await socket.waitForConnections(1);
  });
  afterAll(async () => {
    await app?.stop();
    await socket?.close();
    await slack?.close();
    await tdb?.destroy();
  });

  const slash = (text: string, channel = 'CGENERAL', triggerId = fakeTriggerId()) =>
    Object.fromEntries(
      new URLSearchParams(
        slashCommandBody({
          teamId: TEAM,
          userId: ADMIN,
          channelId: channel,
          command: '/incident',
          text,
          triggerId,
          responseUrl: slack.responseUrl(undefined, { teamId: TEAM, channelId: channel, userId: ADMIN }),
        }),
      ),
    );
  const event = (e: Record<string, unknown>) => JSON.parse(eventBody(e, { teamId: TEAM })) as Record<string, unknown>;
  const actor = {
    team: { id: TEAM, domain: 'acme' },
    user: { id: ADMIN, username: 'alice', team_id: TEAM },
    api_app_id: 'A0APP0001',
  };
  const incident = (n: number) =>
    tdb.db
      .selectFrom('incidents')
      .selectAll()
      .where('org_id', '=', TEAM)
      .where('number', '=', n)
      .executeTakeFirstOrThrow();
  const notes = async (incidentId: string) =>
    (
      await tdb.db
        .selectFrom('incident_timeline')
        .select('text')
        .where('incident_id', '=', incidentId)
        .where('type', '=', 'NOTE_ADDED')
        .execute()
    ).map((r) => r.text);
  const settle = async () => {
    await waitFor(
      async () => {
        const horizon = new Date(Date.now() + 60_000).toISOString();
        const left = await tdb.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', 'in', ['pending', 'in_flight'])
          .where('next_attempt_at', '<=', horizon)
          .executeTakeFirstOrThrow();
        return Number(left.n) === 0;
      },
      15_000,
      'outbox settled',
    );
  };

  it('declares, presses a button, submits a modal and takes an event over the socket, each acknowledged', async () => {
    const declared = await socket.send('slash_commands', slash('declare sev2 Socket checkout down'));
    expect(declared.ack!.ms).toBeLessThan(3000);
    expect(declared.ack!.payload.text).toMatch(/Declared \*INC-1\* \(SEV2\): Socket checkout down/);
    await settle();
    const inc = await incident(1);
    expect(inc.channel_id).toBeTruthy();
    expect(slack.findChannelByName(inc.channel_name!)?.members).toContain(ADMIN);

    // A button: the follow-up's Done.
    const added = await socket.send('slash_commands', slash('action Page the socket owner', inc.channel_id!));
    expect(added.ack!.payload.text).not.toMatch(/:warning:|:x:/);
    const action = await tdb.db
      .selectFrom('incident_actions')
      .selectAll()
      .where('incident_id', '=', inc.id)
      .executeTakeFirstOrThrow();
    const press = await socket.send('interactive', {
      type: 'block_actions',
      ...actor,
      trigger_id: fakeTriggerId(),
      channel: { id: inc.channel_id, name: inc.channel_name },
      container: { type: 'message', channel_id: inc.channel_id },
      message: { ts: '1.1', type: 'message' },
      response_url: slack.responseUrl(),
      actions: [{ action_id: 'action_done', block_id: 'b', value: action.action_id, type: 'button', action_ts: '1.2' }],
    });
    expect(press.ack).toBeDefined();
    const done = async () =>
      (
        await tdb.db
          .selectFrom('incident_actions')
          .select('done')
          .where('action_id', '=', action.action_id)
          .executeTakeFirstOrThrow()
      ).done;
    await waitFor(async () => Number(await done()) === 1, 5000, 'action done');

    // A modal: `declare` without a title opens it (views.open with the envelope's trigger_id); submitting declares.
    const triggerId = fakeTriggerId();
    await socket.send('slash_commands', slash('declare', 'CGENERAL', triggerId));
    const opened = await waitFor(
      () => slack.callsTo('views.open').find((c) => c.params.trigger_id === triggerId),
      5000,
      'views.open',
    );
    const view = (
      typeof opened.params.view === 'string' ? JSON.parse(opened.params.view) : opened.params.view
    ) as Record<string, string>;
    expect(view.callback_id).toBe('declare_incident_modal');
    const submitted = await socket.send('interactive', {
      type: 'view_submission',
      ...actor,
      trigger_id: fakeTriggerId(),
      view: {
        id: 'V0SOCKET1',
        team_id: TEAM,
        type: 'modal',
        callback_id: 'declare_incident_modal',
        private_metadata: view.private_metadata,
        state: {
          values: {
            title: { title: { type: 'plain_text_input', value: 'Search is slow over the socket' } },
            severity: { severity: { type: 'static_select', selected_option: { value: 'SEV3' } } },
            service: { service: { type: 'plain_text_input', value: 'search' } },
            description: { description: { type: 'plain_text_input', value: null } },
          },
        },
      },
    });
    expect(submitted.ack!.payload).not.toHaveProperty('errors');
    await waitFor(
      async () => (await incident(2).catch(() => undefined))?.title === 'Search is slow over the socket',
      5000,
      'modal',
    );
    expect(await incident(2)).toMatchObject({ severity: 'SEV3', service: 'search' });

    // An event: :pushpin: on a message in the incident channel adds it to the timeline.
    await settle();
    const msg = slack.messages(inc.channel_id!)[0];
    const pinned = await socket.send(
      'events_api',
      event({
        type: 'reaction_added',
        user: ADMIN,
        reaction: 'pushpin',
        item: { type: 'message', channel: inc.channel_id, ts: msg.ts },
        item_user: msg.user,
      }),
    );
    expect(pinned.ack).toBeDefined();
    await waitFor(async () => (await notes(inc.id)).some((t) => t.includes('added a message')), 5000, 'pushpin note');
    expect(socket.connections).toBe(1);
  });

  it(
    'refresh_requested, then the connection dropped mid-stream: reconnects, no acked envelope lost or doubled',
    { timeout: 60_000 },
    async () => {
      const inc = await incident(1);
      const before = await notes(inc.id);
      const gen = await connector(tdb.db, TEAM, 'generic');
      const post = overSocket(app.url);
      const N = 30;
      const webhookStatuses: number[] = [];
      const t0 = Date.now();
      let reaction: Promise<Envelope> | undefined;
      const msg = slack.messages(inc.channel_id!)[1];
      for (let i = 0; i < N; i++) {
        void socket.send('slash_commands', slash(`note socket stream ${i}`, inc.channel_id!));
        if (i === 10) {
          // An event right before the refresh: if its ack cannot go out, Slack redelivers it (same event_id).
          reaction = socket.send(
            'events_api',
            event({
              type: 'reaction_added',
              user: ADMIN,
              reaction: 'pushpin',
              item: { type: 'message', channel: inc.channel_id, ts: msg.ts },
              item_user: msg.user,
            }),
          );
          // Slack warns, then cuts the link itself 100 ms later, while envelopes keep coming.
          socket.disconnect('refresh_requested', 100);
        }
        // Alerts over HTTP while the socket is down: accepted as usual.
        if (i % 3 === 0) {
          const r = await post(
            gen.id,
            JSON.stringify(
              genericSignal({ serviceName: `socket-svc-${i}`, severity: 'warning', fingerprint: `sock-${i}` }),
            ),
            bearer(gen.token),
          );
          webhookStatuses.push(r.status);
        }
        await new Promise((r) => setTimeout(r, 30));
      }
      expect(socket.connected()).toBe(false); // the stream ended inside Bolt's reconnect delay
      await socket.waitForConnections(2, 30_000);
      const reconnectMs = Date.now() - t0;

      // Everything queued during the gap goes out on the new connection and is acknowledged there.
      const queued = socket.envelopes.filter((e) => e.sentOn[0] === 2);
      expect(queued.length).toBeGreaterThan(0);
      await waitFor(() => queued.every((e) => e.ack), 10_000, 'queued envelopes acked');
      await reaction;
      // In flight when the link went: some may be recorded without an ack reaching Slack (Slack does not
      // retry slash commands). What was acknowledged must be in the log, once.
      await new Promise((r) => setTimeout(r, 300));
      const streamed = socket.envelopes.filter(
        (e) => e.type === 'slash_commands' && String(e.payload.text).startsWith('note socket stream'),
      );
      const acked = streamed.filter((e) => e.ack);
      const after = (await notes(inc.id)).filter((t) => !before.includes(t));
      for (const e of acked) {
        const text = `<@${ADMIN}> noted: ${String(e.payload.text).slice('note '.length)}`;
        expect(
          after.filter((t) => t === text),
          text,
        ).toHaveLength(1);
      }
      expect(new Set(after).size).toBe(after.length); // nothing doubled
      const streamNotes = after.filter((t) => t.includes(' noted: socket stream '));
      expect(streamNotes.length).toBeGreaterThanOrEqual(acked.length);
      // The pushpin event: if its first delivery was not acked, Slack's retry carried the same event_id.
      const pushpin = socket.envelopes.filter((e) => e.type === 'events_api').at(-1);
      expect(pushpin?.ack).toBeDefined();
      expect(after.filter((t) => t.includes('added a message'))).toHaveLength(1);
      expect(webhookStatuses).toEqual(Array(Math.ceil(N / 3)).fill(202));
      const signals = await tdb.db
        .selectFrom('signal_receipts')
        .select('dedup_key')
        .where('connector_id', '=', gen.id)
        .execute();
      expect(signals).toHaveLength(Math.ceil(N / 3));

      // Still fully working on the new connection.
      const later = await socket.send('slash_commands', slash('note after the refresh', inc.channel_id!));
      expect(later.ack!.connection).toBe(2);
      expect(await notes(inc.id)).toContain(`<@${ADMIN}> noted: after the refresh`);

      // A hard drop (no disconnect message, no close frame): reconnects again; what waited is delivered.
      socket.drop();
      const waited = socket.send('slash_commands', slash('note after the drop', inc.channel_id!));
      await socket.waitForConnections(3, 30_000);
      expect((await waited).ack!.connection).toBe(3);
      expect((await notes(inc.id)).filter((t) => t === `<@${ADMIN}> noted: after the drop`)).toHaveLength(1);
      console.log(
        JSON.stringify({
          reliability: 'socket-mode',
          dialect,
          envelopes: socket.envelopes.length,
          streamed: streamed.length,
          acked: acked.length,
          recordedWithoutAck: streamNotes.length - acked.length,
          queuedDuringGap: queued.length,
          pushpinRetried: !!pushpin && pushpin.sentOn.length > 1,
          webhooks202: webhookStatuses.length,
          reconnectMs,
          connections: socket.connections,
          maxAckMs: Math.max(...socket.envelopes.filter((e) => e.ack).map((e) => e.ack!.ms)),
        }),
      );
    },
  );
});
