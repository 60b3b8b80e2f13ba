import type { FaultKind, FaultSpec } from './slack-fake.types';

/** What the server should do instead of (or before) handling a call. */
export type FaultAction =
  | { kind: 'error'; error: string }
  | { kind: '429'; retryAfter: number }
  | { kind: '500' }
  | { kind: 'timeout'; delayMs: number };

export interface FaultRateOptions {
  /** Delay for the `timeout` kind; the call is still processed afterwards, like a slow Slack. */
  hangMs?: number;
  /** Only these methods are eligible; default all. */
  methods?: string[];
}

/** mulberry32: tiny, seedable, good enough to make fault sequences reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toAction(spec: FaultSpec): FaultAction {
  if (typeof spec === 'string') return { kind: 'error', error: spec };
  if ('timeoutMs' in spec) return { kind: 'timeout', delayMs: spec.timeoutMs };
  if (spec.status === 429) return { kind: '429', retryAfter: spec.retryAfter };
  return { kind: '500' };
}

export class FaultInjector {
  private readonly queued = new Map<string, Array<{ action: FaultAction; left: number }>>();
  private rate = 0;
  private kinds: FaultKind[] = ['429', '500', 'timeout'];
  private random: () => number = prng(1);
  private rateOpts: FaultRateOptions = {};

  failNext(method: string, spec: FaultSpec, times = 1): void {
    const list = this.queued.get(method) ?? [];
    list.push({ action: toAction(spec), left: times });
    this.queued.set(method, list);
  }

  setFaultRate(rate: number, kinds: FaultKind[] = ['429', '500', 'timeout'], seed = 1, opts: FaultRateOptions = {}): void {
    if (rate < 0 || rate > 1) throw new RangeError('fault rate must be within 0..1');
    if (kinds.length === 0) throw new RangeError('at least one fault kind is required');
    this.rate = rate;
    this.kinds = [...kinds];
    this.random = prng(seed);
    this.rateOpts = opts;
  }

  /** Consumes one queued fault for the method, else rolls the dice. Deterministic for a given call order. */
  next(method: string): FaultAction | undefined {
    const list = this.queued.get(method);
    if (list && list.length > 0) {
      const head = list[0];
      head.left -= 1;
      if (head.left <= 0) list.shift();
      return head.action;
    }
    if (this.rate <= 0) return undefined;
    if (this.rateOpts.methods && !this.rateOpts.methods.includes(method)) return undefined;
    // Always draw twice so the sequence doesn't depend on which branch ran.
    const roll = this.random();
    const pick = this.random();
    if (roll >= this.rate) return undefined;
    const kind = this.kinds[Math.floor(pick * this.kinds.length)];
    if (kind === '429') return { kind: '429', retryAfter: 1 };
    if (kind === '500') return { kind: '500' };
    return { kind: 'timeout', delayMs: this.rateOpts.hangMs ?? 2000 };
  }

  reset(): void {
    this.queued.clear();
    this.rate = 0;
    this.random = prng(1);
    this.rateOpts = {};
  }
}
