import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIGNING_SECRET } from './harness';
import { fakeTriggerId, signedFetch, slashCommandBody } from './slack-signing';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The real bot as a child process (`node --import tsx src/main.ts`), pointed at a Slack fake and a
 * database, so a test can SIGKILL it mid-work, restart it on the same database, or SIGTERM it.
 */
export interface BotProcess {
  url: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far (pino JSON lines on stdout). */
  output(): string;
  /** Log lines parsed from stdout. */
  logs(): Record<string, unknown>[];
  kill9(): void;
  /** SIGTERM and wait for the exit; resolves with the exit code (null if killed by a signal). */
  term(timeoutMs?: number): Promise<{ code: number | null; ms: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

export interface BotEnv {
  slackApiUrl: string;
  databaseUrl: string;
  botToken?: string;
  signingSecret?: string;
  extra?: Record<string, string>;
  /** Extra Node flags before the entry point (e.g. `--import` of a test preload). */
  nodeArgs?: string[];
}

/** Env for the child: only what we set (blank values win over a developer's .env). */
export function childEnv(e: BotEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    SLACK_BOT_TOKEN: e.botToken ?? 'xoxb-test',
    SLACK_SIGNING_SECRET: e.signingSecret ?? SIGNING_SECRET,
    SLACK_API_URL: e.slackApiUrl,
    SLACK_APP_TOKEN: '',
    SLACK_CLIENT_ID: '',
    SLACK_CLIENT_SECRET: '',
    SLACK_STATE_SECRET: '',
    OPENAI_API_KEY: '',
    GITHUB_TOKEN: '',
    DATABASE_URL: e.databaseUrl,
    DATABASE_POOL_MAX: '5',
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_USER_IDS: 'U0001',
    LOG_LEVEL: 'info',
    ...e.extra,
  };
}

export async function startBot(e: BotEnv, startTimeoutMs = 20_000): Promise<BotProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...(e.nodeArgs ?? []), 'src/main.ts'], { cwd: ROOT, env: childEnv(e), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started bot behind
      reject(new Error(`bot did not start within ${startTimeoutMs} ms (it must log "Runbook Revenant is listening" at info):\n${out}`));
    }, startTimeoutMs);
    child.stdout!.on('data', (b: Buffer) => {
      const s = b.toString('utf8');
      out += s;
      stdout += s;
      const m = /"port":(\d+)[^\n]*Runbook Revenant is listening/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.stderr!.on('data', (b: Buffer) => {
      out += b.toString('utf8');
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`bot exited during start (code ${code}, signal ${signal}):\n${out}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    output: () => out,
    logs: () =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    kill9() {
      if (!exitedFlag) child.kill('SIGKILL');
    },
    async term(timeoutMs = 30_000) {
      const t0 = Date.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const { code } = await exited;
      clearTimeout(timer);
      return { code, ms: Date.now() - t0 };
    },
    exited,
    alive: () => !exitedFlag,
  };
}

export interface SlashResult {
  triggerId: string;
  text: string;
  /** HTTP status, or 0 when the connection failed (the bot was down or died mid-request). */
  status: number;
  body?: { text?: string };
}

/** Send `/incident <text>` to a bot (by URL), signed like Slack; never throws on a dead bot. */
export async function slash(
  url: string,
  responseUrl: string,
  text: string,
  o: { user?: string; channel?: string; team?: string; triggerId?: string; retryNum?: number; timeoutMs?: number } = {},
): Promise<SlashResult> {
  const triggerId = o.triggerId ?? fakeTriggerId();
  const body = slashCommandBody({ teamId: o.team ?? 'T0001', userId: o.user ?? 'U0001', channelId: o.channel ?? 'CGENERAL', command: '/incident', text, triggerId, responseUrl });
  try {
    const res = await signedFetch(`${url}/slack/events`, body, {
      secret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
      retryNum: o.retryNum,
      ...(o.retryNum ? { retryReason: 'http_error' } : {}),
    });
    const raw = await res.text();
    let parsed: { text?: string } | undefined;
    try {
      parsed = raw ? (JSON.parse(raw) as { text?: string }) : undefined;
    } catch {
      parsed = undefined;
    }
    return { triggerId, text, status: res.status, body: parsed };
  } catch {
    return { triggerId, text, status: 0 };
  }
}

export const REPO_ROOT = ROOT;

/** A free loopback port (listen on 0, read it, close): for a child whose output we cannot read. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Poll `url` until it answers 2xx (or the deadline passes); resolves false on timeout. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
