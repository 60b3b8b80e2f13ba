import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../../config';
import { digestSettingsOf } from '../db/digest.repo';
import type { DB } from '../db/schema';
import { backoffMs, type DeliveryOutcome } from '../outbox/outbox.worker';
import { deliveryClient } from '../slack/bolt-app';
import { deliverDigest } from '../slack/digest.delivery';
import { botTokenFor } from '../slack/installation-store';
import { createTokenCipher } from '../slack/token-cipher';
import { digestEffect, DIGEST_POST } from './digest.job';

/** A Web API client for a workspace outside the running app: the bot token, or the stored installation's. */
export async function workspaceClient(db: DB, config: Config, orgId: string): Promise<WebClient | undefined> {
  if (config.slack.mode === 'single' && config.slack.botToken) return deliveryClient(config, config.slack.botToken);
  if (config.slack.mode === 'oauth' && config.slack.stateSecret) {
    const token = await botTokenFor(db, createTokenCipher(config.slack.stateSecret), orgId);
    return token ? deliveryClient(config, token) : undefined;
  }
  return undefined;
}

export interface DigestNowResult {
  outboxId: number;
  outcome: DeliveryOutcome;
  channel?: string;
}

/**
 * `revenant digest --org T`: the digest goes through the outbox like every effect, but this process
 * claims the row as it writes it and delivers it before exiting. If Slack answers with a transient
 * failure, the row is left pending, so a running bot retries it.
 */
export async function postDigestNow(db: DB, config: Config, orgId: string, now: Date = new Date()): Promise<DigestNowResult> {
  const s = await digestSettingsOf(db, orgId, config.digest);
  if (!s.channel) throw new Error(`workspace ${orgId} has no digest channel: set DIGEST_CHANNEL or run /incident digest #channel`);
  const client = await workspaceClient(db, config, orgId);
  if (!client) throw new Error(`no Slack token for workspace ${orgId}: set SLACK_BOT_TOKEN, or install the app there (OAuth mode)`);
  const effect = digestEffect({ ...s, silentWhenEmpty: false }, `manual:cli:${randomUUID()}`, 'manual');
  const me = `cli:${process.pid}:${randomUUID().slice(0, 8)}`;
  const at = now.toISOString();
  const row = await db
    .insertInto('outbox')
    .values({
      org_id: orgId,
      incident_id: null,
      kind: DIGEST_POST,
      payload: JSON.stringify(effect.payload),
      dedupe_key: null,
      status: 'in_flight',
      attempts: 1,
      next_attempt_at: at,
      locked_by: me,
      locked_until: new Date(now.getTime() + 5 * 60_000).toISOString(),
      last_error: null,
      result: null,
      created_at: at,
      delivered_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const outcome = await deliverDigest({ db, config, now: () => now, clientFor: async () => client }, { id: row.id, org_id: orgId, incident_id: null, kind: DIGEST_POST, payload: effect.payload, attempts: 1 });
  const base = db.updateTable('outbox').where('id', '=', row.id).where('locked_by', '=', me);
  const done = new Date().toISOString();
  if (outcome.type === 'done') await base.set({ status: 'done', delivered_at: done, result: JSON.stringify(outcome.result ?? {}), locked_until: null }).execute();
  else if (outcome.type === 'retry') await base.set({ status: 'pending', next_attempt_at: new Date(Date.now() + (outcome.afterMs ?? backoffMs(1))).toISOString(), last_error: outcome.error, locked_until: null }).execute();
  else await base.set({ status: 'failed', last_error: outcome.error, locked_until: null }).execute();
  return { outboxId: row.id, outcome, channel: s.channel };
}
