import { z } from 'zod';
import type { IncidentEvent, IncidentState } from '../incidents/incident.types';

/**
 * Every side effect the outbox can carry (Slack, scheduled posts…): its kind, the shape of its payload
 * and whether it holds back an incident's later effects. One table, so a new kind is a compile error
 * until it has a payload schema here and a deliverer in the registry (src/adapters/slack/delivery).
 * Payloads are validated again when a row is delivered: a row written by an older version that no
 * longer fits fails with the reason instead of reaching a deliverer half-formed.
 */
const incidentRef = z.object({ incidentId: z.string() });

export const EFFECT_KINDS = {
  'incident.open_channel': {
    payload: incidentRef.extend({ inviteUserIds: z.array(z.string()).default([]) }),
    holdsQueue: true,
  },
  // Summary and roll-up edits render the current state when they run, so they never hold later rows back.
  'incident.sync_summary': { payload: incidentRef, holdsQueue: false },
  'incident.signal_rollup': { payload: incidentRef, holdsQueue: false },
  'slack.post': {
    payload: incidentRef.extend({
      text: z.string(),
      blocks: z.array(z.unknown()).optional(),
      thread: z.literal('summary').optional(),
    }),
    holdsQueue: true,
  },
  'slack.invite': { payload: incidentRef.extend({ userIds: z.array(z.string()) }), holdsQueue: true },
  'slack.announce': {
    payload: incidentRef.extend({ channel: z.string(), text: z.string(), withChannelLink: z.boolean().default(false) }),
    holdsQueue: true,
  },
  'postmortem.preview': {
    payload: incidentRef.extend({
      version: z.number(),
      generator: z.enum(['llm', 'deterministic']).optional(),
      model: z.string().optional(),
      fallback: z.string().optional(),
    }),
    holdsQueue: true,
  },
  'digest.post': {
    payload: z.object({
      channel: z.string().optional(),
      timezone: z.string(),
      silentWhenEmpty: z.boolean(),
      slot: z.string(),
      reason: z.enum(['scheduled', 'manual']),
    }),
    holdsQueue: true,
  },
  'reminder.post': { payload: incidentRef.extend({ slot: z.string(), interval: z.number() }), holdsQueue: true },
  'channel.archive_notice': {
    payload: incidentRef.extend({ closedAt: z.string(), archiveAt: z.string() }),
    holdsQueue: true,
  },
  'channel.archive': { payload: incidentRef.extend({ closedAt: z.string() }), holdsQueue: true },
  'channel.unarchive': { payload: incidentRef.extend({ requestedBy: z.string().optional() }), holdsQueue: true },
  // Private incidents (src/adapters/slack/privacy): access requests to the commander/admins, the decision to the
  // requester, and the switch to private (new private channel, old one archived, announcements neutralised).
  'privacy.access_request': { payload: incidentRef.extend({ requestId: z.string(), userId: z.string() }), holdsQueue: true },
  'privacy.access_decided': {
    payload: incidentRef.extend({
      requestId: z.string(),
      userId: z.string(),
      decision: z.enum(['approved', 'denied']),
      by: z.string(),
    }),
    holdsQueue: true,
  },
  'privacy.make_private': { payload: incidentRef.extend({ members: z.array(z.string()) }), holdsQueue: true },
  // Outgoing webhooks (src/adapters/webhooks): a fold-able fan-out per incident, then one ordered row per subscriber and event.
  'webhook.fanout': { payload: incidentRef, holdsQueue: false },
  'webhook.deliver': {
    payload: incidentRef.extend({
      subscriptionId: z.string(),
      deliveryId: z.string(),
      eventType: z.string(),
      body: z.string(),
    }),
    holdsQueue: true,
  },
  // Rollback from an incident (rollback.service.ts): dispatch the configured action, retried on 5xx; a timer that
  // records ROLLBACK_TIMED_OUT if no deployment result came. Neither may hold the channel's posts back.
  'rollback.dispatch': { payload: incidentRef.extend({ rollbackId: z.string() }), holdsQueue: false },
  'rollback.timeout': { payload: incidentRef.extend({ rollbackId: z.string(), waitMs: z.number() }), holdsQueue: false },
  // Follow-ups in an issue tracker (followups.service.ts): a GitHub outage must never hold the channel's posts.
  'followup.export': { payload: incidentRef.extend({ actionId: z.string(), repository: z.string() }), holdsQueue: false },
  // Close or reopen the issue to match the follow-up as it is when delivered (so out-of-order rows converge).
  'followup.sync_issue': { payload: incidentRef.extend({ actionId: z.string() }), holdsQueue: false },
  'followup.auto_export': { payload: incidentRef, holdsQueue: false },
  // The weekly insights post (INSIGHTS_CRON): the charts as a PNG and the numbers, rendered at delivery time.
  'insights.post': {
    payload: z.object({ channel: z.string(), window: z.enum(['7d', '30d', '90d']), slot: z.string() }),
    holdsQueue: false,
  },
} as const satisfies Record<string, { payload: z.ZodType; holdsQueue: boolean }>;

export type EffectKind = keyof typeof EFFECT_KINDS;
/** What a deliverer receives (defaults applied). */
export type EffectPayload<K extends EffectKind> = z.output<(typeof EFFECT_KINDS)[K]['payload']>;
/** What a planner writes (defaulted fields may be left out). */
export type EffectInput<K extends EffectKind> = z.input<(typeof EFFECT_KINDS)[K]['payload']>;

export interface EffectOptions {
  /** While one with this key is pending, more requests fold into it (e.g. summary edits). */
  dedupeKey?: string;
  /** Deliver no earlier than this (ISO); used to pace summary edits during storms. */
  notBefore?: string;
}

/**
 * A side effect to deliver after commit. Planned from events by an adapter, stored in the outbox in the
 * same transaction, delivered by the outbox worker. A discriminated union: `kind` fixes the payload.
 */
export type PlannedEffect = { [K in EffectKind]: { kind: K; payload: EffectInput<K> } & EffectOptions }[EffectKind];

/** Build a planned effect; the kind picks the payload type. */
export const effect = <K extends EffectKind>(kind: K, payload: EffectInput<K>, options: EffectOptions = {}) =>
  ({ kind, payload, ...options }) as Extract<PlannedEffect, { kind: K }>;

export const isEffectKind = (kind: string): kind is EffectKind => Object.hasOwn(EFFECT_KINDS, kind);

/** Kinds that never hold back an incident's later effects; the worker reads this, it names no kind itself. */
export const QUEUE_FREE_KINDS: readonly EffectKind[] = (Object.keys(EFFECT_KINDS) as EffectKind[]).filter(
  (k) => !EFFECT_KINDS[k].holdsQueue,
);

/** A stored payload checked against its kind's schema. */
export function parseEffectPayload<K extends EffectKind>(
  kind: K,
  payload: unknown,
): { ok: true; payload: EffectPayload<K> } | { ok: false; error: string } {
  const res = EFFECT_KINDS[kind].payload.safeParse(payload);
  // The schema of K parsed it; TypeScript cannot follow a generic index into the table, so say so once here.
  if (res.success) return { ok: true, payload: res.data as EffectPayload<K> };
  const issues = res.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
  return {
    ok: false,
    error: `invalid ${kind} payload: ${issues}`,
  };
}

/** How one delivery went; the worker turns it into done, a retry with backoff, or a permanent failure. */
export type DeliveryOutcome =
  | { type: 'done'; result?: Record<string, unknown> }
  /** Without afterMs the worker's backoff applies; with it (Retry-After), exactly that wait. */
  | { type: 'retry'; afterMs?: number; error: string }
  | { type: 'failed'; error: string };

/** Facts a planner needs from the database, read once per unit of work (e.g. whether the org has webhook subscribers). */
export interface PlanContext {
  webhooks?: boolean;
}

export type EffectPlanner = (
  before: IncidentState,
  after: IncidentState,
  events: IncidentEvent[],
  now: Date,
  ctx?: PlanContext,
) => PlannedEffect[];

export const noEffects: EffectPlanner = () => [];
