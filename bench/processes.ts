import { type ChildProcess, fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LoadResult } from './bench.types';
import type { LoadJob } from './load.generator';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(ROOT, 'bench');
/** Absolute, so children can run from a temp folder (no stray `.env` is read) and still load TypeScript. */
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Resident set size of a process in MB (Linux /proc; `ps` elsewhere). */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return null;
}

/** The bot's V8 heap from its own /metrics (prom-client defaults), to tell heap growth from the rest of RSS. */
export async function heapNote(botUrl: string): Promise<string | undefined> {
  try {
    const text = await (await fetch(`${botUrl}/metrics`)).text();
    const mb = (name: string) => {
      const m = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
      return m ? `${(Number(m[1]) / 1048576).toFixed(0)} MB` : '?';
    };
    return `V8 heap ${mb('nodejs_heap_size_used_bytes')} used of ${mb('nodejs_heap_size_total_bytes')}, external ${mb('nodejs_external_memory_bytes')}`;
  } catch {
    return undefined;
  }
}

// Generous: on a shared 2-core box under load, starting the bot on tsx has taken over 30 s.
async function waitHttp(url: string, child: ChildProcess, output: () => string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${url} answered:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function tail(child: ChildProcess) {
  let buf = '';
  const add = (d: Buffer) => {
    buf = (buf + d.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => buf;
}

export interface BotProcess {
  url: string;
  pid: number;
  rssMb(): number | null;
  output(): string;
  stop(): Promise<void>;
}

/** package.json's start script, split into its node flags (heap sizes, `--v8-pool-size`) and the file it runs. */
function startScript(): { flags: string[]; entry: string } {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const words = start.split(/\s+/).slice(1);
  const at = words.findIndex((w) => !w.startsWith('--'));
  if (at < 0) throw new Error(`package.json start script names no file to run: ${start}`);
  return { flags: words.slice(0, at), entry: path.join(ROOT, words[at]!) };
}

let built: Promise<void> | undefined;
/** `npm start`'s prestart (the bundle in dist/), once per bench run, so the bot measured is today's source. */
function buildOnce(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    const env = { ...process.env, BUILD_QUIET: '1' };
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/build.mjs exited ${code}`))));
  });
  return built;
}

/** The real bot, exactly as `npm start` runs it (the bundle of src/main.ts), on loopback, against the Slack fake. */
export async function startBot(env: { slackApiUrl: string; databaseUrl: string; signingSecret: string; extra?: Record<string, string> }): Promise<BotProcess> {
  await buildOnce();
  const port = await freePort();
  const cwd = mkdtempSync(path.join(tmpdir(), 'revenant-bench-bot-'));
  // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of the bot (node --cpu-prof) when it stops.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  // BENCH_BOT_NODE_FLAGS="--max-semi-space-size=4 …": extra node flags for the bot, for experiments.
  // By default the flags `npm start` uses (package.json), so the bench measures what users run.
  const start = startScript();
  const flags = process.env.BENCH_BOT_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? start.flags;
  const child = spawn(process.execPath, [...prof, ...flags, start.entry], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? cwd,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: env.signingSecret,
      SLACK_API_URL: env.slackApiUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: env.databaseUrl,
      ADMIN_USER_IDS: 'U0001',
      LOG_LEVEL: 'warn',
      RUNBOOKS_DIR: path.join(cwd, 'runbooks'),
      ...env.extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tail(child);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/readyz`, child, output);
  return {
    url,
    pid: child.pid!,
    rssMb: () => rssMb(child.pid!),
    output,
    async stop() {
      await stopChild(child);
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

function forkTs(file: string): ChildProcess {
  return fork(path.join(BENCH, file), [], { cwd: ROOT, execArgv: ['--import', TSX], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function firstMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
  });
}

/** The bare Hono floor (bench/baseline.server.ts) in its own process. */
export async function startBaseline(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = forkTs('baseline.server.ts');
  const { port } = await firstMessage<{ port: number }>(child, 'baseline server');
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) };
}

export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

/** The load generator (bench/load-generator.main.ts) in its own process, driven over IPC. */
export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child = forkTs('load-generator.main.ts');
  await firstMessage(child, 'load generator');
  let seq = 0;
  const waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id?: number; result?: LoadResult; error?: string }) => {
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(`load generator: ${m.error}`));
    else w.resolve(m.result!);
  });
  child.on('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('load generator exited'));
    waiting.clear();
  });
  return {
    run(job) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, job });
      });
    },
    async close() {
      child.disconnect();
      await stopChild(child);
    },
  };
}

export const ALERTMANAGER_BIN = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'];

/** Prometheus Alertmanager on a loopback port with throw-away storage and clustering off, when installed. */
export async function startAlertmanager(): Promise<{ url: string; version: string; stop(): Promise<void> } | undefined> {
  const bin = process.env.ALERTMANAGER_BIN ?? ALERTMANAGER_BIN.find((b) => existsSync(b));
  if (!bin || !existsSync(bin)) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-bench-am-'));
  // One receiver with no integrations: Alertmanager ingests and groups but notifies nobody.
  writeFileSync(path.join(dir, 'alertmanager.yml'), 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  const child = spawn(
    bin,
    [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = tail(child);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/-/ready`, child, output);
  const status = (await (await fetch(`${url}/api/v2/status`)).json()) as { versionInfo?: { version?: string } };
  return {
    url,
    version: status.versionInfo?.version ?? 'unknown',
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
