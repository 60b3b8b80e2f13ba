import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import { childEnv, freePort, REPO_ROOT, waitForHttp } from '../helpers/process-harness';

/**
 * The real entry points with stdout and stderr going to a pipe nobody reads (it fills at 64 KiB) or
 * whose reader went away (EPIPE) — `npm start 2>&1 | (sleep 3; exit)`, a dead log shipper. Logging
 * must never block the event loop: the process keeps answering, and SIGTERM ends it within its
 * shutdown deadline (25 s; we ask for far less).
 */

type PipeFault = 'unread' | 'closed';
type Mode = 'single' | 'sandbox' | 'oauth';

const DEADLINE_MS = 10_000;
let fake: SlackFake;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fake = await startSlackFake();
  dir = mkdtempSync(path.join(tmpdir(), 'revenant-pipes-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function envFor(mode: Mode, port: number, db: string): NodeJS.ProcessEnv {
  const base = childEnv({ slackApiUrl: fake.url, databaseUrl: db });
  const common = { PORT: String(port), LOG_LEVEL: 'debug' };
  if (mode === 'sandbox') return { ...base, ...common, SANDBOX: '1' };
  if (mode === 'oauth') {
    return {
      ...base,
      ...common,
      SLACK_BOT_TOKEN: '',
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: 'client-secret-0123456789',
      SLACK_STATE_SECRET: 'state-secret-0123456789abcdef',
    };
  }
  return { ...base, ...common };
}

/** Unsigned requests: each one makes Bolt log a warning, which is how a busy bot's log fills a pipe. */
async function flood(url: string, n: number): Promise<number> {
  let answered = 0;
  const one = async () => {
    try {
      const res = await fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"event_callback"}',
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      answered++;
    } catch {
      /* counted as unanswered */
    }
  };
  for (let i = 0; i < n && answered === i; i += 8) await Promise.all(Array.from({ length: Math.min(8, n - i) }, one));
  return answered; // stops at the first batch with an unanswered request (a frozen process)
}

async function healthLatency(url: string): Promise<number> {
  const t0 = Date.now();
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.ok ? Date.now() - t0 : Infinity;
  } catch {
    return Infinity;
  }
}

const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

function applyFault(child: ChildProcess, fault: PipeFault) {
  // 'unread': no listener, so the parent never reads and the pipe fills; 'closed': the reader goes away.
  if (fault === 'closed') {
    child.stdout!.destroy();
    child.stderr!.destroy();
  }
}

const CASES: Array<[Mode, PipeFault]> = [
  ['single', 'unread'],
  ['single', 'closed'],
  ['sandbox', 'unread'],
  ['sandbox', 'closed'],
  ['oauth', 'unread'],
];

describe('a full or closed stdout/stderr pipe', () => {
  it.each(CASES)(
    '%s mode, pipe %s: keeps serving and exits on SIGTERM within the deadline',
    { timeout: 90_000 },
    async (mode, fault) => {
      const port = await freePort();
      const db = path.join(dir, `${mode}-${fault}.db`);
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: REPO_ROOT,
        env: envFor(mode, port, db),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      if (fault === 'closed') applyFault(child, fault);
      const up = await waitForHttp(`${url}/healthz`, 30_000);
      expect(up, `${mode} did not start`).toBe(true);

      const answered = await flood(url, 600);
      const latencies = [await healthLatency(url), await healthLatency(url), await healthLatency(url)];
      const worst = Math.max(...latencies);
      const metrics = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(3000) })
        .then((r) => r.text())
        .catch(() => '');
      const dropped = Number(/^revenant_log_lines_dropped_total (\d+)/m.exec(metrics)?.[1] ?? NaN);

      const t0 = Date.now();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const { code, signal } = await exitOf(child);
      clearTimeout(killer);
      const exitMs = Date.now() - t0;
      console.log(
        JSON.stringify({
          reliability: {
            test: 'log-pipe',
            mode,
            fault,
            requestsAnswered: answered,
            of: 600,
            healthzWorstMs: worst,
            logLinesDropped: dropped,
            exitCode: code,
            signal,
            exitMs,
          },
        }),
      );

      expect(answered).toBe(600);
      expect(worst).toBeLessThan(1000);
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(DEADLINE_MS);
    },
  );

  it.each<PipeFault>(['unread', 'closed'])(
    'the CLI exits on its own with stdout %s',
    { timeout: 60_000 },
    async (fault) => {
      const db = path.join(dir, `cli-${fault}.db`);
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate'], {
        cwd: REPO_ROOT,
        env: envFor('single', 0, db),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      applyFault(child, fault);
      const t0 = Date.now();
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const { code, signal } = await exitOf(child);
      clearTimeout(killer);
      console.log(
        JSON.stringify({
          reliability: {
            test: 'log-pipe',
            mode: 'cli migrate',
            fault,
            exitCode: code,
            signal,
            exitMs: Date.now() - t0,
          },
        }),
      );
      expect(signal).toBeNull();
      expect(code).toBe(0);
    },
  );
});
