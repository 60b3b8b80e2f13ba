import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { operatorActor } from '../../app/access.service';
import { createDigestService, type PostNowResult } from '../../app/digest.service';
import { createIncidentService } from '../../app/incident.service';
import type { Config } from '../../config';
import { DomainError } from '../../shared/domain-error';
import type { DB } from '../db/schema';
import { createOutboxWorker } from '../outbox/outbox.worker';
import { deliveryClient } from '../slack/bolt-app';
import { createSlackDelivery } from '../slack/delivery/slack.deliveries';
import { botTokenFor } from '../slack/installation-store';
import { createTokenCipher } from '../slack/token-cipher';

/** A Web API client for a workspace outside the running app: the bot token, or the stored installation's. */
export async function workspaceClient(db: DB, config: Config, orgId: string): Promise<WebClient | undefined> {
  if (config.slack.mode === 'single' && config.slack.botToken) return deliveryClient(config, config.slack.botToken);
  if (config.slack.mode === 'oauth' && config.slack.stateSecret) {
    const token = await botTokenFor(db, createTokenCipher(config.slack.stateSecret), orgId);
    return token ? deliveryClient(config, token) : undefined;
  }
  return undefined;
}

/**
 * `revenant digest --org T`: the digest use case with an outbox worker of this process that is never
 * started: it only takes the one row this run wrote, with the same delivery function as the bot. If
 * Slack answers with a transient failure, the row is left pending, so a running bot retries it.
 */
export async function postDigestFromCli(
  db: DB,
  config: Config,
  orgId: string,
  now: () => Date = () => new Date(),
): Promise<PostNowResult> {
  const client = await workspaceClient(db, config, orgId);
  if (!client)
    throw new DomainError(
      'unavailable',
      `no Slack token for workspace ${orgId}: set SLACK_BOT_TOKEN, or install the app there (OAuth mode)`,
    );
  const incidents = createIncidentService({ db, now });
  const deliver = createSlackDelivery({
    db,
    config,
    now,
    incidents,
    clientFor: async (org) => (org === orgId ? client : undefined),
  });
  const worker = createOutboxWorker({ db, now, deliver });
  const digests = createDigestService({
    db,
    defaults: config.digest,
    now,
    outbox: { kick: () => undefined, deliverNow: worker.deliverNow },
  });
  return digests.postNow({ orgId, actor: operatorActor, requestKey: `cli:${randomUUID()}`, delivery: 'now' });
}
