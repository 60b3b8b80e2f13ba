import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import {
  blockActionsPayload,
  eventBody,
  interactionBody,
  messageActionPayload,
  plainTextValues,
  signSlackRequest,
  signedFetch,
  slashCommandBody,
  viewSubmissionPayload,
} from '../helpers/slack-signing';

const SECRET = 'test-signing-secret';

function verify(headers: { 'X-Slack-Signature': string; 'X-Slack-Request-Timestamp': string }, body: string, secret = SECRET): void {
  verifySlackRequest({
    signingSecret: secret,
    body,
    headers: {
      'x-slack-signature': headers['X-Slack-Signature'],
      'x-slack-request-timestamp': Number(headers['X-Slack-Request-Timestamp']),
    },
  });
}

describe('slack signing helper', () => {
  it('produces signatures bolt accepts, and only for the exact body and secret', () => {
    const body = slashCommandBody({
      teamId: 'T0001',
      userId: 'U0001',
      channelId: 'C0001',
      command: '/incident',
      text: 'declare db is down',
      responseUrl: 'http://127.0.0.1:1/responses/r1',
    });
    const headers = signSlackRequest(SECRET, body);
    expect(() => verify(headers, body)).not.toThrow();
    expect(() => verify(headers, `${body}&x=1`)).toThrow(/signature mismatch/);
    expect(() => verify(headers, body, 'other-secret')).toThrow(/signature mismatch/);
    const stale = signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000) - 600);
    expect(() => verify(stale, body)).toThrow(/stale/);
  });

  it('builds a slash command body with Slack’s fields', () => {
    const fields = new URLSearchParams(
      slashCommandBody({
        teamId: 'T0001',
        userId: 'U0001',
        channelId: 'C0001',
        channelName: 'ops',
        command: '/incident',
        text: 'declare sev1',
        triggerId: '123.456.abc',
        responseUrl: 'http://x/responses/1',
      }),
    );
    expect([...fields.keys()]).toEqual([
      'token', 'team_id', 'team_domain', 'channel_id', 'channel_name', 'user_id', 'user_name',
      'command', 'text', 'api_app_id', 'is_enterprise_install', 'response_url', 'trigger_id',
    ]);
    expect(fields.get('text')).toBe('declare sev1');
    expect(fields.get('trigger_id')).toBe('123.456.abc');
  });

  it('builds interaction and event bodies', () => {
    const actor = { teamId: 'T0001', userId: 'U0001' };
    const click = blockActionsPayload({
      ...actor,
      channel: { id: 'C0001' },
      message: { ts: '1700000000.000100', text: 'card' },
      responseUrl: 'http://x/responses/2',
      actions: [{ actionId: 'ack', blockId: 'b1', value: 'INC-1' }],
    });
    const decoded = JSON.parse(new URLSearchParams(interactionBody(click)).get('payload') ?? '{}');
    expect(decoded).toMatchObject({
      type: 'block_actions',
      team: { id: 'T0001' },
      user: { id: 'U0001', team_id: 'T0001' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0001' },
      actions: [{ action_id: 'ack', block_id: 'b1', value: 'INC-1', type: 'button' }],
    });
    const submit = viewSubmissionPayload({ ...actor, viewId: 'V1', callbackId: 'declare', values: plainTextValues({ title: { value: 'DB down' } }) });
    expect(submit).toMatchObject({ type: 'view_submission', view: { callback_id: 'declare', state: { values: { title: { value: { value: 'DB down' } } } } } });
    const shortcut = messageActionPayload({ ...actor, callbackId: 'open_incident', channel: { id: 'C0001' }, message: { ts: '1.2' }, responseUrl: 'http://x' });
    expect(shortcut).toMatchObject({ type: 'message_action', callback_id: 'open_incident', message_ts: '1.2' });

    const envelope = JSON.parse(eventBody({ type: 'app_mention', user: 'U0001', text: '<@UBOT> status' }, { teamId: 'T0001', eventId: 'Ev1', eventTime: 1700000000 }));
    expect(envelope).toMatchObject({
      type: 'event_callback',
      team_id: 'T0001',
      event_id: 'Ev1',
      event_time: 1700000000,
      event: { type: 'app_mention' },
      authorizations: [{ team_id: 'T0001', is_bot: true }],
    });
  });

  it('signedFetch sends verifiable headers and retry headers', async () => {
    let seen: { headers: IncomingHttpHeaders; body: string } | undefined;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen = { headers: req.headers, body };
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const body = eventBody({ type: 'app_mention' }, { teamId: 'T0001' });
      const res = await signedFetch(`http://127.0.0.1:${port}/slack/events`, body, {
        secret: SECRET,
        contentType: 'application/json',
        retryNum: 1,
        retryReason: 'http_timeout',
      });
      expect(res.status).toBe(200);
      expect(seen?.body).toBe(body);
      expect(seen?.headers['x-slack-retry-num']).toBe('1');
      expect(seen?.headers['x-slack-retry-reason']).toBe('http_timeout');
      expect(seen?.headers['content-type']).toBe('application/json');
      const h = seen!.headers;
      expect(() =>
        verify({ 'X-Slack-Signature': String(h['x-slack-signature']), 'X-Slack-Request-Timestamp': String(h['x-slack-request-timestamp']) }, body),
      ).not.toThrow();
    } finally {
      server.close();
    }
  });
});
