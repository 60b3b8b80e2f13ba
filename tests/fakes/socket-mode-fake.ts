import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';

/**
 * Slack's side of Socket Mode (https://api.slack.com/apis/socket-mode), enough to drive Bolt's real
 * SocketModeReceiver: `apps.connections.open` (served by the Slack fake, which asks this server for a URL
 * with a one-time ticket), `hello` on connect, envelopes that must be acknowledged with their
 * `envelope_id`, server pings, and `disconnect` messages. Like Slack, an envelope sent while no connection
 * is open waits for the next one, and an unacknowledged `events_api` envelope is redelivered on the next
 * connection with `retry_attempt` + 1 (Slack does not retry slash commands or interactivity).
 */

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
  /** Connections (1-based) this envelope was written to, in order. */
  sentOn: number[];
  /** Set once the bot acknowledged it. */
  ack?: { payload: Record<string, unknown>; ms: number; connection: number };
}

export interface SocketModeFake {
  readonly appToken: string;
  /** How many WebSocket connections the bot has opened so far. */
  readonly connections: number;
  readonly envelopes: Envelope[];
  /** True while a connection is open (between `hello` and its close). */
  connected(): boolean;
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Queue an envelope (sent at once when connected); resolves with it once acknowledged. */
  send(type: EnvelopeType, payload: Record<string, unknown>): Promise<Envelope>;
  /** Slack's `disconnect` message; with `dropAfterMs` the server then closes the socket itself if still open. */
  disconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled', dropAfterMs?: number): void;
  /** Cut the TCP connection without a close frame (a proxy or network failure). */
  drop(): void;
  close(): Promise<void>;
}

export interface SocketModeFakeOptions {
  appToken?: string;
  appId?: string;
  /** Slack pings about every 10 s; Bolt gives up on a silent server after 30 s. */
  pingIntervalMs?: number;
}

interface Waiter {
  resolve: (e: Envelope) => void;
}

export async function startSocketModeFake(slack: SlackFake, opts: SocketModeFakeOptions = {}): Promise<SocketModeFake> {
  const appToken = opts.appToken ?? 'xapp-1-A0APP0001-1-socketmodefake';
  const appId = opts.appId ?? 'A0APP0001';
  const http: Server = createServer((_req, res) => res.writeHead(426).end('upgrade required'));
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const envelopes: Envelope[] = [];
  const waiters = new Map<string, Waiter>();
  const sentAt = new Map<string, number>();
  let current: { ws: WebSocket; n: number; open: boolean } | undefined;
  let connections = 0;
  const connectionWaiters: Array<() => void> = [];

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ticket = url.searchParams.get('ticket') ?? '';
    // A ticket from apps.connections.open is good for one connection, as Slack's are.
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const unregister = slack.state.socketMode.register(appToken, () => {
    const ticket = randomUUID();
    tickets.add(ticket);
    return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${appId}`;
  });

  function write(e: Envelope): void {
    if (!current?.open) return;
    e.sentOn.push(current.n);
    sentAt.set(e.envelope_id, Date.now());
    const { sentOn: _s, ack: _a, ...wire } = e;
    current.ws.send(JSON.stringify(wire));
  }

  function accept(ws: WebSocket): void {
    const conn = { ws, n: ++connections, open: true };
    current = conn;
    const ping = setInterval(() => ws.ping(), opts.pingIntervalMs ?? 10_000);
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: Record<string, unknown> };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      const e = envelopes.find((x) => x.envelope_id === msg.envelope_id);
      if (!e || e.ack) return;
      e.ack = {
        payload: msg.payload ?? {},
        ms: Date.now() - (sentAt.get(e.envelope_id) ?? Date.now()),
        connection: conn.n,
      };
      waiters.get(e.envelope_id)?.resolve(e);
      waiters.delete(e.envelope_id);
    });
    ws.on('close', () => {
      clearInterval(ping);
      conn.open = false;
      if (current === conn) current = undefined;
    });
    ws.on('error', () => undefined);
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
    for (const w of connectionWaiters.splice(0)) w();
    // What waited for a connection goes out now; unacknowledged Events API envelopes are retried.
    for (const e of envelopes) {
      if (e.ack) continue;
      if (e.sentOn.length === 0) write(e);
      else if (e.type === 'events_api') {
        e.retry_attempt = (e.retry_attempt ?? 0) + 1;
        e.retry_reason = 'timeout';
        write(e);
      }
    }
  }

  return {
    appToken,
    get connections() {
      return connections;
    },
    envelopes,
    connected: () => !!current?.open,
    async waitForConnections(n, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (connections < n || !current?.open) {
        if (Date.now() > end) throw new Error(`socket mode: ${connections} connection(s), wanted ${n}`);
        await new Promise<void>((resolve) => {
          connectionWaiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    send(type, payload) {
      const e: Envelope = {
        envelope_id: randomUUID(),
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
        sentOn: [],
      };
      envelopes.push(e);
      const acked = new Promise<Envelope>((resolve) => waiters.set(e.envelope_id, { resolve }));
      write(e);
      return acked;
    },
    disconnect(reason = 'refresh_requested', dropAfterMs) {
      const conn = current;
      if (!conn?.open) return;
      conn.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
      // Until the client closes, Slack sends nothing new on a connection it asked to refresh.
      current = undefined;
      if (dropAfterMs !== undefined) setTimeout(() => conn.open && conn.ws.terminate(), dropAfterMs);
    },
    drop() {
      const conn = current;
      if (!conn) return;
      conn.open = false;
      current = undefined;
      conn.ws.terminate();
    },
    async close() {
      unregister();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
