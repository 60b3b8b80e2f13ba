import http from 'node:http';
import type { LoadResult } from './bench.types';
import { type BuiltRequest, buildRequest, type RequestSpec } from './request.builders';
import { summarise } from './stats';

/**
 * Open loop: request i is due at start + i/rate and is sent then whether or not earlier ones have
 * answered; its latency counts from when it was due, so a stalled server shows up as latency
 * instead of quietly slowing the sender down (no coordinated omission).
 * Closed loop: `concurrency` senders, each sending its next request when the last one answered;
 * for throughput (alerts/s) at a fixed concurrency, the way a pool of senders behaves.
 */
export type LoadPlan =
  | { mode: 'open'; rate: number; durationS: number; maxInFlight?: number }
  /** Stops starting requests after `maxDurationS` (default 120 s), so a stalled target cannot stall the bench. */
  | { mode: 'closed'; concurrency: number; count: number; maxDurationS?: number };

export interface LoadJob {
  request: RequestSpec;
  plan: LoadPlan;
  /** A response counts as ok when its status is 2xx and (if given) its body matches. */
  okBody?: string;
  /** First request index (so a warm-up and the measured run use different ids). */
  offset?: number;
  /** A request with no answer this long after it was due is abandoned and counted failed (default 30 s). */
  timeoutS?: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });

/** POST and read the answer; the deadline also covers time spent queued for a socket in the agent. */
function send(r: BuiltRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const method = r.method ?? 'POST';
    const headers = method === 'GET' ? r.headers : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
    const req = http.request(r.url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), Math.max(1, timeoutMs));
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(method === 'GET' ? undefined : r.body);
  });
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const okRe = job.okBody ? new RegExp(job.okBody) : undefined;
  const offset = job.offset ?? 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let dropped = 0;
  let items = 0;
  let firstFailure: string | undefined;

  const timeoutMs = (job.timeoutS ?? 30) * 1000;
  const one = async (i: number, dueAt: number) => {
    const r = buildRequest(job.request, offset + i);
    try {
      const res = await send(r, timeoutMs - (performance.now() - dueAt));
      latencies.push(performance.now() - dueAt);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status >= 200 && res.status < 300 && (!okRe || okRe.test(res.body))) {
        ok++;
        items += r.items;
      } else {
        failed++;
        firstFailure ??= `${res.status} ${res.body.slice(0, 300)}`;
      }
    } catch (e) {
      latencies.push(performance.now() - dueAt);
      failed++;
      statuses.error = (statuses.error ?? 0) + 1;
      firstFailure ??= e instanceof Error ? e.message : String(e);
    }
  };

  const started = performance.now();
  let sent = 0;
  if (job.plan.mode === 'open') {
    const { rate, durationS } = job.plan;
    const maxInFlight = job.plan.maxInFlight ?? 2000;
    const total = Math.max(1, Math.round(rate * durationS));
    const interval = 1000 / rate;
    const t0 = performance.now() + 5;
    const pending = new Set<Promise<void>>();
    await new Promise<void>((resolve) => {
      let next = 0;
      const tick = () => {
        const now = performance.now();
        while (next < total && t0 + next * interval <= now) {
          const due = t0 + next * interval;
          if (pending.size >= maxInFlight) dropped++;
          else {
            sent++;
            const p = one(next, due).finally(() => pending.delete(p));
            pending.add(p);
          }
          next++;
        }
        if (next >= total) return resolve();
        setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
      };
      tick();
    });
    await Promise.all(pending);
  } else {
    const { concurrency, count } = job.plan;
    const deadline = performance.now() + (job.plan.maxDurationS ?? 120) * 1000;
    let next = 0;
    const worker = async () => {
      while (next < count && performance.now() < deadline) {
        const i = next++;
        sent++;
        await one(i, performance.now());
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }
  const elapsedS = (performance.now() - started) / 1000;
  return {
    planned: job.plan.mode === 'open' ? Math.max(1, Math.round(job.plan.rate * job.plan.durationS)) : job.plan.count,
    sent,
    ok,
    failed,
    dropped,
    statuses,
    firstFailure,
    elapsedS,
    requestsPerS: ok / elapsedS,
    itemsPerS: items / elapsedS,
    latency: summarise(latencies),
  };
}
