import type { IncidentEvent, IncidentRole, IncidentState } from '../incidents/incident.types';
import { redactSecrets } from '../guidance/guidance.prompt';
import { truncate } from '../shared/text';

/**
 * `/incident catchup`: what a latecomer needs, built from the incident's log and the channel's messages
 * since a moment. Pure and deterministic (same input → same digest): it is the answer when no model is
 * configured or the model fails, and the facts block under a model's summary otherwise.
 */

/** A channel message as the digest reads it (top-level or a thread reply). */
export interface CatchupMessage {
  ts: string;
  user?: string;
  /** Bot posts (ours included) are context, not key messages. */
  bot: boolean;
  text: string;
  threadTs?: string;
  /** Total reactions of every emoji. */
  reactions: number;
  pinned: boolean;
}

export type SinceSource = 'argument' | 'your_last_post' | 'default';

export interface CatchupInput {
  state: Pick<
    IncidentState,
    'number' | 'title' | 'status' | 'severity' | 'roles' | 'actions' | 'lastUpdateAt' | 'lastUpdateText'
  >;
  events: readonly IncidentEvent[];
  /** The window's messages, any order. */
  messages: readonly CatchupMessage[];
  since: string;
  sinceSource: SinceSource;
  /** How many messages were read, and whether the read stopped at the limit. */
  read: { messages: number; truncated: boolean; max: number };
  /** Configured secret values, scrubbed along with anything credential-shaped. */
  secrets?: readonly string[];
}

export interface Change<T> {
  from: T;
  to: T;
  at: string;
  by: string;
  message?: string;
}

export interface KeyMessage {
  ts: string;
  user?: string;
  text: string;
  reactions: number;
}

export interface CatchupDigest {
  incident: { number: number; title: string };
  since: string;
  sinceSource: SinceSource;
  status: { now: string; changes: Change<string>[] };
  severity: { now: string; changes: Change<string>[] };
  latestUpdate?: { text: string; at: string; isNew: boolean };
  followUps: { added: { text: string; owner?: string; done: boolean }[]; completed: { text: string; by: string }[] };
  pinned: KeyMessage[];
  mostReacted: KeyMessage[];
  fromRoleHolders: (KeyMessage & { role: IncidentRole })[];
  working: {
    roles: { role: IncidentRole; userId: string }[];
    owners: { userId: string; followUps: string[] }[];
    active: { userId: string; messages: number }[];
  };
  read: { messages: number; truncated: boolean; max: number };
}

const KEY_MESSAGES = 5;
const TEXT = 300;

/** Slack `1733130000.000100` → ms since the epoch. */
export const tsToMs = (ts: string) => Math.round(Number(ts) * 1000);
/** ms → a Slack ts lower bound (`oldest`). */
export const msToTs = (ms: number) => (ms / 1000).toFixed(6);

export function buildCatchupDigest(input: CatchupInput): CatchupDigest {
  const { state, since } = input;
  const clean = (t: string) =>
    truncate(
      redactSecrets(t, input.secrets ?? [])
        .replace(/\s+/g, ' ')
        .trim(),
      TEXT,
    );
  const recent = input.events.filter((e) => e.occurredAt >= since);
  const actionText = new Map(state.actions.map((a) => [a.id, a.text]));

  const statusChanges: Change<string>[] = [];
  const severityChanges: Change<string>[] = [];
  const added: CatchupDigest['followUps']['added'] = [];
  const completed: CatchupDigest['followUps']['completed'] = [];
  for (const e of recent) {
    if (e.type === 'STATUS_CHANGED')
      statusChanges.push({
        from: e.from,
        to: e.to,
        at: e.occurredAt,
        by: e.actor,
        ...(e.message ? { message: clean(e.message) } : {}),
      });
    if (e.type === 'SEVERITY_UPDATED') severityChanges.push({ from: e.from, to: e.to, at: e.occurredAt, by: e.actor });
    if (e.type === 'ACTION_ADDED') {
      const now = state.actions.find((a) => a.id === e.actionId);
      added.push({ text: clean(e.text), ...(e.owner ? { owner: e.owner } : {}), done: now?.done ?? false });
    }
    if (e.type === 'ACTION_COMPLETED')
      completed.push({ text: clean(actionText.get(e.actionId) ?? e.actionId), by: e.actor });
  }

  const people = input.messages.filter((m) => !m.bot && m.user);
  const byTime = [...people].sort((a, b) => Number(a.ts) - Number(b.ts));
  const key = (m: CatchupMessage): KeyMessage => ({
    ts: m.ts,
    ...(m.user ? { user: m.user } : {}),
    text: clean(m.text),
    reactions: m.reactions,
  });
  const pinned = byTime
    .filter((m) => m.pinned)
    .slice(-KEY_MESSAGES)
    .map(key);
  const mostReacted = [...people]
    .filter((m) => m.reactions > 0)
    .sort((a, b) => b.reactions - a.reactions || Number(a.ts) - Number(b.ts))
    .slice(0, KEY_MESSAGES)
    .map(key);
  const roleOf = new Map<string, IncidentRole>();
  for (const [role, userId] of Object.entries(state.roles) as [IncidentRole, string][])
    if (userId && !roleOf.has(userId)) roleOf.set(userId, role);
  const fromRoleHolders = byTime
    .filter((m) => roleOf.has(m.user!))
    .slice(-KEY_MESSAGES)
    .map((m) => ({ ...key(m), role: roleOf.get(m.user!)! }));

  const counts = new Map<string, number>();
  for (const m of people) counts.set(m.user!, (counts.get(m.user!) ?? 0) + 1);
  const owners = new Map<string, string[]>();
  for (const a of state.actions)
    if (a.owner && !a.done) owners.set(a.owner, [...(owners.get(a.owner) ?? []), clean(a.text)]);

  const last =
    state.lastUpdateText && state.lastUpdateAt
      ? { text: clean(state.lastUpdateText), at: state.lastUpdateAt, isNew: state.lastUpdateAt >= since }
      : undefined;
  return {
    incident: { number: state.number, title: clean(state.title) },
    since,
    sinceSource: input.sinceSource,
    status: { now: state.status, changes: statusChanges },
    severity: { now: state.severity, changes: severityChanges },
    ...(last ? { latestUpdate: last } : {}),
    followUps: { added, completed },
    pinned,
    mostReacted,
    fromRoleHolders,
    working: {
      roles: (Object.entries(state.roles) as [IncidentRole, string][])
        .filter(([, u]) => !!u)
        .map(([role, userId]) => ({ role, userId })),
      owners: [...owners]
        .map(([userId, followUps]) => ({ userId, followUps }))
        .sort((a, b) => a.userId.localeCompare(b.userId)),
      active: [...counts]
        .map(([userId, messages]) => ({ userId, messages }))
        .sort((a, b) => b.messages - a.messages || a.userId.localeCompare(b.userId))
        .slice(0, 8),
    },
    read: input.read,
  };
}

/** Nothing happened worth telling: no changes, no new follow-ups, no people's messages. */
export const isQuiet = (d: CatchupDigest) =>
  d.status.changes.length + d.severity.changes.length + d.followUps.added.length + d.followUps.completed.length === 0 &&
  d.working.active.length === 0 &&
  !d.latestUpdate?.isNew;
