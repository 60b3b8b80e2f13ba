import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Slack's replay window, both ways: Bolt refuses old timestamps; we also refuse ones from the future. */
export const SLACK_REPLAY_WINDOW_S = 5 * 60;

/** True when a /slack/ request's timestamp is more than five minutes ahead of our clock (Bolt checks the past). */
export function timestampFromFuture(req: IncomingMessage, nowMs = Date.now()): boolean {
  const raw = req.headers['x-slack-request-timestamp'];
  const ts = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(ts) && ts - Math.floor(nowMs / 1000) > SLACK_REPLAY_WINDOW_S;
}

/** Counts work that outlives its HTTP response (Bolt listeners keep going after ack()). */
export function createInflight() {
  let count = 0;
  let idle: (() => void)[] = [];
  return {
    async track<T>(work: () => Promise<T>): Promise<T> {
      count++;
      try {
        return await work();
      } finally {
        count--;
        if (count === 0) for (const f of idle.splice(0)) f();
      }
    },
    get count() {
      return count;
    },
    /** Resolves when nothing is in flight, or after `deadlineMs` (returns false then). */
    idle(deadlineMs: number): Promise<boolean> {
      if (count === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          idle = idle.filter((f) => f !== done);
          resolve(false);
        }, deadlineMs);
        const done = () => {
          clearTimeout(t);
          resolve(true);
        };
        idle.push(done);
      });
    },
  };
}

/** While draining, a request on a kept-alive connection is turned away so the sender retries elsewhere. */
export function refuseWhileDraining(res: ServerResponse) {
  res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
  res.end(JSON.stringify({ error: 'shutting_down', message: 'This instance is shutting down; retry shortly.' }));
}

/**
 * Stop accepting connections and wait for the responses in progress; idle kept-alive connections are
 * closed at once (and again as they fall idle), and whatever is left after the deadline is cut.
 */
export async function closeServer(server: Server, deadlineMs: number): Promise<boolean> {
  const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      resolve(false);
    }, deadlineMs);
  });
  const clean = await Promise.race([closed, deadline]);
  clearInterval(sweep);
  clearTimeout(timer);
  return clean;
}
