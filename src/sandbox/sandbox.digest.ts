import { randomUUID } from 'node:crypto';
import { operatorActor } from '../app/access.service';
import type { AppDeps } from '../app/deps';
import { createDigestService } from '../app/digest.service';
import type { DeliveryOutcome } from '../app/effects';
import { assertNever, DomainError } from '../shared/domain-error';
import type { DigestStatus } from './sandbox.page';

/**
 * "Run digest now" in the Alerts panel: the digest use case of `revenant digest --org <team>`, delivered
 * at once by the running bot's own outbox worker (the one row it wrote, the same delivery function).
 */
export function sandboxDigest(
  running: { deps: AppDeps; worker: { deliverNow(id: number): Promise<DeliveryOutcome | undefined> } },
  orgId: string,
  channelName: (id: string) => string | undefined,
): DigestStatus & { run: () => Promise<string> } {
  const { deps, worker } = running;
  const digests = createDigestService({
    db: deps.db,
    defaults: deps.config.digest,
    now: deps.now,
    outbox: { kick: deps.kickOutbox, deliverNow: worker.deliverNow },
  });
  return {
    available: true,
    note:
      'Posts the watchlist digest now, as `revenant digest` does ' +
      '(DIGEST_CHANNEL is #sre here; `/incident digest #channel` moves it).',
    async run() {
      const r = await digests.postNow({
        orgId,
        actor: operatorActor,
        requestKey: `sandbox:${randomUUID()}`,
        delivery: 'now',
      });
      const o = r.outcome;
      if (!o) return `queued as outbox row ${r.outboxId}; the bot posts it in a moment`;
      switch (o.type) {
        case 'done':
          return `posted to #${channelName(r.channel) ?? r.channel} (outbox row ${r.outboxId})`;
        case 'retry':
          return `Slack did not take it (${o.error}); the bot retries outbox row ${r.outboxId}`;
        case 'failed':
          throw new DomainError('unavailable', `The digest could not be posted: ${o.error}`);
        default:
          return assertNever(o);
      }
    },
  };
}
