import { createHash } from 'node:crypto';
import { type EffectPlanner, effect, type PlanContext } from '../../app/effects';
import { matchesPattern, webhookEventType } from '../../app/webhook.service';
import type { Deliver } from '../outbox/effect-registry';
import { loadEvents } from '../db/event-store';
import { enqueueEffects } from '../db/outbox.repo';
import { visibilityOf } from '../db/privacy.repo';
import type { DB, Trx } from '../db/schema';
import {
  advanceCursor,
  cursorOf,
  findSubscriptionWithSecret,
  hasActiveSubscriptions,
  listSubscriptions,
  recordAttempt,
  removeSubscription,
} from '../db/webhook.repo';
import { signWebhook } from './webhook.signature';

/**
 * Outgoing webhooks through the outbox. Every commit that appended events plans one `webhook.fanout`
 * (folded while pending); the fan-out copies the events after the incident's cursor into one
 * `webhook.deliver` row per subscriber and event, in a lane of their own per subscriber and incident
 * (`webhook:<sub>:<incident>`), so deliveries keep the events' order, a slow receiver never holds
 * back Slack, and one receiver never holds back another.
 */
export const planWebhookEffects: EffectPlanner = (_before, after, events, _now, ctx) =>
  events.length && ctx?.webhooks
    ? [effect('webhook.fanout', { incidentId: after.id }, { dedupeKey: `webhook-fanout:${after.id}` })]
    : [];

/** Compose with the Slack planner (server.ts). */
export const withWebhooks =
  (planner: EffectPlanner): EffectPlanner =>
  (before, after, events, now, ctx) => [
    ...planner(before, after, events, now, ctx),
    ...planWebhookEffects(before, after, events, now, ctx),
  ];

/** Read once per unit of work: a workspace without subscribers gets no fan-out rows at all. */
export const webhookPlanContext = async (trx: Trx, orgId: string): Promise<PlanContext> => ({
  webhooks: await hasActiveSubscriptions(trx, orgId),
});

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** 1 s doubling to 80 min: with the worker's 30 attempts, about a day of trying. */
export const webhookRetryMs = (attempt: number) => Math.min(80 * 60_000, 1000 * 2 ** Math.max(0, attempt - 1));

export const deliveryIdOf = (subscriptionId: string, incidentId: string, seq: number) =>
  `dlv_${createHash('sha256').update(`${subscriptionId}:${incidentId}:${seq}`).digest('hex').slice(0, 32)}`;

export interface WebhookDeliveryDeps {
  db: DB;
  now: () => Date;
}

export function createWebhookDeliveries(deps: WebhookDeliveryDeps): {
  'webhook.fanout': Deliver<'webhook.fanout'>;
  'webhook.deliver': Deliver<'webhook.deliver'>;
} {
  const fanout: Deliver<'webhook.fanout'> = async (e) => {
    const { orgId } = e;
    const incidentId = e.payload.incidentId;
    for (let attempt = 0; attempt < 5; attempt++) {
      const from = await cursorOf(deps.db, orgId, incidentId);
      const events = await loadEvents(deps.db, orgId, incidentId, from);
      if (events.length === 0) return { type: 'done', result: { fannedOut: 0 } };
      const to = events[events.length - 1].seq;
      const at = deps.now();
      const written = await deps.db.transaction().execute(async (trx) => {
        // Moving the cursor and writing the rows commit together: a re-run (crash, race) writes nothing twice.
        if (!(await advanceCursor(trx, orgId, incidentId, from, to))) return undefined;
        let n = 0;
        // A private incident's events go only to subscriptions an admin opened to them (README "Private incidents").
        const priv = (await visibilityOf(trx, orgId, incidentId)) === 'private';
        for (const sub of await listSubscriptions(trx, orgId, true)) {
          if (priv && !sub.includePrivate) continue;
          const rows = events
            // A new subscriber gets what happens from now on, not an old incident's history.
            .filter(
              (ev) =>
                ev.occurredAt >= sub.createdAt && sub.events.some((p) => matchesPattern(p, webhookEventType(ev.type))),
            )
            .map((ev) => {
              const { incidentId: _i, orgId: _o, seq, type, actor, occurredAt, ...data } = ev;
              const deliveryId = deliveryIdOf(sub.id, incidentId, seq);
              const eventType = webhookEventType(type);
              const body = JSON.stringify({
                id: deliveryId,
                type: eventType,
                occurredAt,
                orgId,
                incidentId,
                event: { seq, type, actor, data },
              });
              return effect('webhook.deliver', { incidentId, subscriptionId: sub.id, deliveryId, eventType, body });
            });
          n += await enqueueEffects(trx, orgId, `webhook:${sub.id}:${incidentId}`, rows, at);
        }
        return n;
      });
      if (written !== undefined) return { type: 'done', result: { fannedOut: written, upTo: to } };
    }
    return { type: 'retry', error: 'fan-out cursor kept moving' };
  };

  const deliver: Deliver<'webhook.deliver'> = async (e) => {
    const p = e.payload;
    const sub = await findSubscriptionWithSecret(deps.db, e.orgId, p.subscriptionId);
    if (!sub || sub.removedAt) return { type: 'done', result: { skipped: 'unsubscribed' } };
    const incidentId = p.incidentId;
    const signature = signWebhook(sub.secret, p.body, Math.floor(deps.now().getTime() / 1000));
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'RunbookRevenant-Webhooks/1',
          'revenant-signature': signature,
          'revenant-delivery': p.deliveryId,
          'revenant-event': p.eventType,
        },
        body: p.body,
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const ok = status !== null && status >= 200 && status < 300;
    const base = {
      orgId: e.orgId,
      subscriptionId: sub.id,
      deliveryId: p.deliveryId,
      eventType: p.eventType,
      incidentId,
      responseStatus: status,
      ok,
      durationMs: performance.now() - started,
      now: deps.now(),
    };
    await recordAttempt(deps.db, { ...base, error: error ?? (ok ? null : `HTTP ${status}`) });
    if (ok) return { type: 'done', result: { status } };
    if (status === 410) {
      // The receiver says it is gone for good: unsubscribe.
      await removeSubscription(deps.db, e.orgId, sub.id, 'gone (410)', deps.now());
      return { type: 'done', result: { status, unsubscribed: true } };
    }
    return { type: 'retry', afterMs: webhookRetryMs(e.attempts), error: error ?? `HTTP ${status}` };
  };

  return { 'webhook.fanout': fanout, 'webhook.deliver': deliver };
}
