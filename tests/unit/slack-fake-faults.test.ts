import { ErrorCode, WebClient, type WebAPIHTTPError, type WebAPIRateLimitedError } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { quietLogger } from '../../src/adapters/slack-fake/slack-fake.client';
import { startSlackFake, type SlackFake } from '../../src/adapters/slack-fake/slack-fake.server';
import type { FaultKind } from '../../src/adapters/slack-fake/slack-fake.types';

let fake: SlackFake;

const client = (opts: ConstructorParameters<typeof WebClient>[1] = {}) =>
  new WebClient('xoxb-test', { slackApiUrl: fake.url, logger: quietLogger, ...opts });

beforeAll(async () => {
  fake = await startSlackFake();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('slack fake: injected faults', () => {
  it('429 with Retry-After is retried by WebClient (default retry config) after the wait', async () => {
    const own = fake.addChannel({ name: 'rl' });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const res = await client().chat.postMessage({ channel: own.id, text: 'eventually' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const attempts = fake.callsTo('chat.postMessage');
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(attempts[0]).toMatchObject({ fault: '429', response: { ok: false, error: 'ratelimited' } });
    expect(fake.messages(own.id)).toHaveLength(1);
  });

  it('rejectRateLimitedCalls surfaces the 429 with its retryAfter', async () => {
    fake.failNext('auth.test', { status: 429, retryAfter: 7 });
    const err = (await client({ rejectRateLimitedCalls: true }).auth.test().catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
  });

  it('queues platform errors and 500s for a number of calls', async () => {
    const slack = client({ retryConfig: { retries: 0 } });
    fake.failNext('auth.test', 'ratelimited', 2);
    await expect(slack.auth.test()).rejects.toMatchObject({ data: { error: 'ratelimited' } });
    await expect(slack.auth.test()).rejects.toMatchObject({ data: { error: 'ratelimited' } });
    expect((await slack.auth.test()).ok).toBe(true);
    fake.failNext('auth.test', { status: 500 });
    const err = (await slack.auth.test().catch((e: unknown) => e)) as WebAPIHTTPError;
    expect(err.code).toBe(ErrorCode.HTTPError);
    expect(err.statusCode).toBe(500);
  });

  it('a hang outlives the client timeout but still lands, like a slow Slack', async () => {
    const own = fake.addChannel({ name: 'slow' });
    fake.failNext('chat.postMessage', { timeoutMs: 400 });
    const slack = client({ timeout: 100, retryConfig: { retries: 0 } });
    await expect(slack.chat.postMessage({ channel: own.id, text: 'late' })).rejects.toMatchObject({ code: ErrorCode.RequestError });
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.messages(own.id).map((m) => m.text)).toEqual(['late']);
    expect(fake.calls.at(-1)?.fault).toBe('timeout');
  });
});

describe('slack fake: fault rate', () => {
  /** Raw fetches so no client retry logic perturbs the call sequence. */
  async function pattern(rate: number, kinds: FaultKind[], seed: number): Promise<number[]> {
    fake.reset();
    fake.setFaultRate(rate, kinds, seed);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${fake.url}auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxb-test' } });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('1');
    }
    return statuses;
  }

  it('is deterministic for a seed and fails roughly the requested share', async () => {
    const a = await pattern(0.3, ['429', '500'], 42);
    const b = await pattern(0.3, ['429', '500'], 42);
    const c = await pattern(0.3, ['429', '500'], 7);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const failures = a.filter((s) => s !== 200).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
    expect(new Set(a)).toEqual(new Set([200, 429, 500]));
  });

  it('turns off with rate 0 and on reset', async () => {
    expect((await pattern(0, ['500'], 1)).every((s) => s === 200)).toBe(true);
    fake.setFaultRate(1, ['500']);
    fake.reset();
    const res = await fetch(`${fake.url}auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxb-test' } });
    expect(res.status).toBe(200);
  });
});
