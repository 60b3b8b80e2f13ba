import { loadEvents } from '../adapters/db/event-store';
import { configSecrets } from '../adapters/logger';
import {
  type CatchupDigest,
  type CatchupMessage,
  type SinceSource,
  buildCatchupDigest,
  msToTs,
} from '../catchup/catchup.digest';
import { canSeeIncident, requirePermission } from '../incidents/incident.permissions';
import type { Actor } from '../incidents/incident.types';
import { DomainError } from '../shared/domain-error';
import { parseSince } from '../shared/time-input';
import type { AppDeps } from './deps';

/**
 * `/incident catchup [since]`: a latecomer's briefing, for them only. The channel is read through a port
 * (Slack's conversations.history / replies and pins.list), never more than CATCHUP_MAX_MESSAGES messages;
 * the digest is deterministic, and a configured model may add a summary on top (falling back, saying why).
 */

/** A channel message as the reader port returns it. */
export interface ReadMessage extends CatchupMessage {
  replyCount?: number;
  latestReply?: string;
}

export interface ReadPage {
  messages: ReadMessage[];
  /** Raw messages read, Slack's own notices included (what the limit counts). */
  read: number;
  /** More messages remained past `max`. */
  truncated: boolean;
}

/** Port: reading an incident channel (the Slack adapter pages the Web API). */
export interface ChannelReaderPort {
  /** Top-level messages, newest first, newer than `oldest` (a Slack ts) if given, at most `max`. */
  history(channelId: string, o: { oldest?: string; max: number }): Promise<ReadPage>;
  /** A thread's replies (not its parent) newer than `oldest`, oldest first, at most `max`. */
  replies(channelId: string, threadTs: string, o: { oldest: string; max: number }): Promise<ReadPage>;
  /** Timestamps of the channel's pinned messages. */
  pinned(channelId: string): Promise<Set<string>>;
}

export type CatchupSummary =
  | { ok: true; summary: string; openQuestions: string[]; model: string; tokens?: number }
  | { ok: false; reason: string; model?: string };

/** Port: the model's summary (OpenAI-compatible), given the digest and the window's messages. */
export interface CatchupSummarizerPort {
  usesModel: boolean;
  summarize(digest: CatchupDigest, messages: readonly CatchupMessage[]): Promise<CatchupSummary>;
}

export interface CatchupInput {
  orgId: string;
  actor: Actor;
  incidentId: string;
  /** `30m`, `2h`, `09:00`, ISO; absent = since the caller last posted in the channel, else 2 hours. */
  since?: string;
  reader: ChannelReaderPort;
}

export interface CatchupResult {
  digest: CatchupDigest;
  generator: 'llm' | 'deterministic';
  summary?: { text: string; openQuestions: string[]; model: string };
  /** Why the deterministic digest is all there is: no model configured, or what went wrong with it. */
  fallback?: string;
}

export const DEFAULT_CATCHUP_WINDOW_MS = 2 * 60 * 60_000;

type Deps = Pick<AppDeps, 'db' | 'config' | 'incidents' | 'now' | 'logger' | 'catchup'>;

interface Window {
  since: number;
  source: SinceSource;
  messages: ReadMessage[];
  read: number;
  truncated: boolean;
}

/** The top-level messages of the window, and where it starts. */
async function readWindow(input: CatchupInput, channelId: string, now: Date, max: number): Promise<Window> {
  if (input.since?.trim()) {
    const since = parseSince(input.since, now).getTime();
    const page = await input.reader.history(channelId, { oldest: msToTs(since), max });
    return { since, source: 'argument', messages: page.messages, read: page.read, truncated: page.truncated };
  }
  // Since the caller last posted: the newest of their own messages among the ones read.
  const page = await input.reader.history(channelId, { max });
  const mine = page.messages.find((m) => m.user === input.actor.id && !m.bot);
  // Rounded up: the caller's own message (micros below the millisecond) is not part of what they missed.
  const since = mine ? Math.ceil(Number(mine.ts) * 1000) : now.getTime() - DEFAULT_CATCHUP_WINDOW_MS;
  const inWindow = page.messages.filter((m) => Number(m.ts) * 1000 > since);
  // Cut short only if the read stopped before reaching the window's start.
  const oldestRead = page.messages[page.messages.length - 1];
  const truncated = page.truncated && !!oldestRead && Number(oldestRead.ts) * 1000 > since;
  // Everything read counts against the limit, even what turned out to be older than the window.
  return { since, source: mine ? 'your_last_post' : 'default', messages: inWindow, read: page.read, truncated };
}

export async function catchUp(deps: Deps, input: CatchupInput): Promise<CatchupResult> {
  const state = await deps.incidents.load(input.orgId, input.incidentId);
  if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
  requirePermission(canSeeIncident(input.actor, state));
  if (!state.channelId)
    throw new DomainError('invalid_input', `INC-${state.number} has no channel to catch up on yet.`);
  const max = deps.config.catchupMaxMessages;
  const now = deps.now();
  const w = await readWindow(input, state.channelId, now, max);
  const oldest = msToTs(w.since);
  const messages: ReadMessage[] = [...w.messages];
  let truncated = w.truncated;
  let read = w.read;
  // Thread replies newer than the window's start, while the budget lasts (newest threads first).
  for (const parent of w.messages) {
    if (!parent.replyCount || !parent.latestReply || Number(parent.latestReply) <= Number(oldest)) continue;
    const budget = max - read;
    if (budget <= 0) {
      truncated = true;
      break;
    }
    const page = await input.reader.replies(state.channelId, parent.ts, { oldest, max: budget });
    messages.push(...page.messages);
    read += page.read;
    truncated ||= page.truncated;
  }
  const pins = await input.reader.pinned(state.channelId);
  const window = messages.map((m) => (pins.has(m.ts) && !m.pinned ? { ...m, pinned: true } : m));
  const digest = buildCatchupDigest({
    state,
    events: await loadEvents(deps.db, input.orgId, input.incidentId),
    messages: window,
    since: new Date(w.since).toISOString(),
    sinceSource: w.source,
    read: { messages: read, truncated, max },
    secrets: configSecrets(deps.config),
  });
  const summarizer = deps.catchup?.summarizer;
  if (!summarizer?.usesModel) return { digest, generator: 'deterministic', fallback: 'no AI model is configured' };
  const s = await summarizer.summarize(digest, window);
  if (!s.ok) {
    deps.logger.warn({ reason: s.reason, model: s.model }, 'catch-up summary fell back to the deterministic digest');
    return { digest, generator: 'deterministic', fallback: s.reason };
  }
  return { digest, generator: 'llm', summary: { text: s.summary, openQuestions: s.openQuestions, model: s.model } };
}
