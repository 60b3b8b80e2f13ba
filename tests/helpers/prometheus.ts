import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait';

/**
 * The real Prometheus (Debian's `prometheus` package, with promtool): backfilled from generated OpenMetrics
 * samples, started on a free loopback port, queried over its HTTP API, killed afterwards.
 */
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
export const prometheusPresent = existsSync(PROMETHEUS_BIN) && existsSync(PROMTOOL_BIN);

/** console.warn once per file that needs it, so a skip is never silent. */
export function warnIfNoPrometheus(file: string): void {
  if (!prometheusPresent)
    console.warn(
      `[${file}] SKIPPED: ${PROMETHEUS_BIN} or ${PROMTOOL_BIN} not found. Install the Debian package prometheus (.ci/run does) or set PROMETHEUS_BIN / PROMTOOL_BIN.`,
    );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Sample {
  /** ms */
  t: number;
  good: number;
  total: number;
}

export interface BurnHistory {
  /** Last sample (ms, a multiple of 5 minutes). */
  end: number;
  samples: Sample[];
  /** The last sample at or before `t`, as Prometheus's instant query sees it. */
  at(t: number): Sample;
  openMetrics: string;
}

const MIN = 60_000;

/**
 * 30 days of `<metric>_total` and `<metric>_good_total` counters ending at `end`: one sample per 5 minutes,
 * one per minute in the last day. 1000 requests a minute; 1 failure per 5 minutes (0.02 %, a 0.2× burn of a
 * 99.9 % SLO); during [burnFrom, burnTo) `burnPerMinute` more failures every minute.
 */
export function burnHistory(o: {
  metric: string;
  end: number;
  burnFrom: number;
  burnTo: number;
  burnPerMinute: number;
  labels?: string;
}): BurnHistory {
  const start = o.end - 30 * 86_400_000;
  const fine = o.end - 86_400_000;
  const samples: Sample[] = [];
  let total = 0;
  let bad = 0;
  for (let t = start; t <= o.end; t += t < fine ? 5 * MIN : MIN) {
    if (t > start) {
      const step = t <= fine ? 5 : 1;
      total += 1000 * step;
      if (t % (5 * MIN) === 0) bad += 1;
      if (t > o.burnFrom && t <= o.burnTo) bad += o.burnPerMinute * step;
    }
    samples.push({ t, good: total - bad, total });
  }
  const labels = o.labels ?? '{service="checkout"}';
  const lines: string[] = [];
  for (const [family, pick] of [
    [o.metric, (s: Sample) => s.total],
    [`${o.metric}_good`, (s: Sample) => s.good],
  ] as const) {
    lines.push(`# TYPE ${family} counter`);
    for (const s of samples) lines.push(`${family}_total${labels} ${pick(s)} ${s.t / 1000}`);
  }
  lines.push('# EOF', '');
  const at = (t: number) => {
    let lo = 0;
    let hi = samples.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (samples[mid].t <= t) lo = mid;
      else hi = mid - 1;
    }
    return samples[lo];
  };
  return { end: o.end, samples, at, openMetrics: lines.join('\n') };
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

/** Backfill `openMetrics` (if given) with promtool, then start Prometheus on it; `scrape` adds a scrape job. */
export async function startPrometheus(
  o: { openMetrics?: string; scrape?: { target: string; intervalS?: number } } = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'revenant-prom-'));
  const data = path.join(dir, 'data');
  if (o.openMetrics) {
    const file = path.join(dir, 'backfill.om');
    writeFileSync(file, o.openMetrics);
    // Few, large blocks: fewer files for Prometheus to open and compact on start.
    await promisify(execFile)(
      PROMTOOL_BIN,
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=744h', file, data],
      {
        timeout: 120_000,
      },
    );
  }
  const config = ['global:', '  evaluation_interval: 1m'];
  if (o.scrape) {
    const every = `${o.scrape.intervalS ?? 1}s`;
    config.push(
      'scrape_configs:',
      '  - job_name: exporter',
      `    scrape_interval: ${every}`,
      `    scrape_timeout: ${every}`,
      '    static_configs:',
      `      - targets: ['${o.scrape.target}']`,
    );
  }
  writeFileSync(path.join(dir, 'prometheus.yml'), `${config.join('\n')}\n`);
  const port = await freePort();
  let log = '';
  const proc: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // The backfill is 30 days old at its start: keep it.
      '--storage.tsdb.retention.time=90d',
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (d) => (log += d));
  proc.stderr?.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`Prometheus exited (${proc.exitCode}): ${log.slice(-800)}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
      },
      60_000,
      'Prometheus ready',
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, dir, log: () => log, stop };
}
