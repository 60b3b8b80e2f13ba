import type { WebClient } from '@slack/web-api';
import { EFFECT_METADATA_TYPE } from './ids';
import type { DeliveryOutcome } from '../../app/effects';
import { classifySlackError, slackErrorCode } from './slack-errors';

/**
 * Slack calls made safe to repeat. An effect makes several calls; if any one flaky call sent the whole
 * effect back to the queue, a 30 % failure rate would almost never let a five-call effect finish. So:
 * calls that are harmless to repeat (reads, edits, invites, pins) are retried here at once, and the two
 * that are not (creating a channel, posting a message) check whether an uncertain earlier try landed
 * before trying again.
 */

/** Retry-After up to this long is waited out in place; longer goes back to the outbox. */
const INLINE_WAIT_MAX_MS = 2_000;
const TRIES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A timeout or a reset after sending: Slack may act later, so only the outbox's delayed retry may look again. */
export const outcomeUnknown = (e: unknown) => (e as { code?: string })?.code === 'slack_webapi_request_error';

/** How long to wait before repeating a call in place, or undefined to give up and let the outbox retry. */
function inlineWait(e: unknown, tried: number): number | undefined {
  if (tried >= TRIES) return undefined;
  const f = classifySlackError(e);
  if (f.kind === 'platform') return undefined;
  if (f.kind === 'rate_limited') return f.retryAfterMs <= INLINE_WAIT_MAX_MS ? f.retryAfterMs : undefined;
  return 100 * tried;
}

/** For calls with no effect or the same effect however often they run. */
export async function repeatable<T>(call: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await call();
    } catch (e) {
      const wait = inlineWait(e, tried);
      if (wait === undefined) throw e;
      await sleep(wait);
    }
  }
}

/** Find a channel by exact name among the bot's (paged), so a retried create reuses the first one. */
export async function findChannelByName(client: WebClient, name: string) {
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await repeatable(() => client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: false, limit: 1000, cursor }));
    const hit = res.channels?.find((c) => c.name === name);
    if (hit) return hit;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** How far back a retried post looks for its first try (a busy channel may have moved on a little). */
const LOOKBACK_PAGES = 5;

/** Look for a message we already posted for this effect (crash or timeout between Slack's answer and our commit). */
export async function findPosted(client: WebClient, channel: string, effectId: string, threadTs?: string) {
  let cursor: string | undefined;
  for (let page = 0; page < LOOKBACK_PAGES; page++) {
    const res = await repeatable(() =>
      threadTs
        ? client.conversations.replies({ channel, ts: threadTs, limit: 200, include_all_metadata: true, cursor } as never)
        : client.conversations.history({ channel, limit: 200, include_all_metadata: true, cursor }),
    );
    const hit = res.messages?.find((m) => (m as { metadata?: { event_payload?: { effect_id?: string } } }).metadata?.event_payload?.effect_id === effectId);
    if (hit) return hit;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/**
 * Post a message at most once per effect id: every post carries the id in its metadata, and whenever an
 * earlier try may have landed (`retry`, or a failed try here) the channel is searched for it first.
 */
export async function postOnce(client: WebClient, retry: boolean, args: { channel: string; text: string; blocks?: unknown[]; thread_ts?: string; effectId: string }): Promise<string> {
  let uncertain = retry;
  for (let tried = 1; ; tried++) {
    if (uncertain) {
      const prior = await findPosted(client, args.channel, args.effectId, args.thread_ts);
      if (prior?.ts) return prior.ts;
    }
    try {
      const res = await client.chat.postMessage({
        channel: args.channel,
        text: args.text,
        ...(args.blocks ? { blocks: args.blocks as never } : {}),
        ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
        metadata: { event_type: EFFECT_METADATA_TYPE, event_payload: { effect_id: args.effectId } },
      });
      return res.ts as string;
    } catch (e) {
      const wait = outcomeUnknown(e) ? undefined : inlineWait(e, tried);
      if (wait === undefined) throw e;
      // A 429 was not processed; a 5xx probably was not, but look before posting again.
      uncertain ||= classifySlackError(e).kind !== 'rate_limited';
      await sleep(wait);
    }
  }
}

/** A failed Web API call as an outbox outcome: Retry-After honoured as given, other transient failures take the worker's backoff, the rest fail. */
export function slackOutcome(e: unknown): DeliveryOutcome {
  const f = classifySlackError(e);
  if (f.kind === 'rate_limited') return { type: 'retry', afterMs: f.retryAfterMs, error: 'rate_limited' };
  if (f.kind === 'transient') return { type: 'retry', error: f.error };
  return { type: 'failed', error: f.error };
}

/** Run a channel call; when the bot is not in the channel yet, join it and try once more. */
export async function inChannel<T>(client: WebClient, channel: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (slackErrorCode(e) !== 'not_in_channel') throw e;
    await repeatable(() => client.conversations.join({ channel }));
    return fn();
  }
}
