import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { tokenActor } from '../../../app/api-tokens.service';
import type { AppDeps } from '../../../app/deps';
import { checkCanManageWebhooks, listWebhooks, webhookLog } from '../../../app/webhook.service';
import type { ApiEnv } from './api.guards';
import { apiRoute, input, register } from './api.openapi';
import { OrgParams } from './api.schemas';

const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    createdAt: z.string(),
    removedAt: z.string().nullable(),
    removedReason: z.string().nullable(),
    includePrivate: z.boolean().openapi({ description: 'Receives private incidents\' events too (set by an admin).' }),
  })
  .openapi('Webhook');
const Attempt = z
  .object({
    deliveryId: z.string(),
    eventType: z.string(),
    incidentId: z.string().nullable(),
    responseStatus: z.number().int().nullable(),
    ok: z.boolean(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    attemptedAt: z.string(),
  })
  .openapi('WebhookAttempt');
const WebhookParams = OrgParams.extend({
  webhookId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'webhookId', in: 'path' } }),
});

/** Subscriptions are made with `revenant webhook add` (the secret is shown there once); admins read them here. */
export function webhookRoutes(api: OpenAPIHono<ApiEnv>, deps: AppDeps) {
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/webhooks',
      tag: 'Webhooks',
      summary: 'Webhook subscriptions (admin)',
      params: OrgParams,
      ok: { status: 200, schema: z.object({ items: z.array(Webhook) }), description: 'Subscriptions' },
    }),
    async (c) => {
      checkCanManageWebhooks(tokenActor(c.get('token')));
      const items = (await listWebhooks(deps.db, c.get('token').orgId)).map((w) => ({
        id: w.id,
        url: w.url,
        events: w.events,
        createdAt: w.createdAt,
        removedAt: w.removedAt,
        removedReason: w.removedReason,
        includePrivate: w.includePrivate,
      }));
      return c.json({ items }, 200);
    },
  );
  register(
    api,
    apiRoute({
      method: 'get',
      path: '/orgs/{orgId}/webhooks/{webhookId}/deliveries',
      tag: 'Webhooks',
      summary: 'The last 100 delivery attempts (admin)',
      params: WebhookParams,
      ok: { status: 200, schema: z.object({ items: z.array(Attempt) }), description: 'Attempts, newest first' },
    }),
    async (c) => {
      checkCanManageWebhooks(tokenActor(c.get('token')));
      return c.json(
        { items: await webhookLog(deps.db, c.get('token').orgId, input<{ webhookId: string }>(c, 'param').webhookId) },
        200,
      );
    },
  );
}
