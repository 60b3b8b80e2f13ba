import { postDigestNow } from '../adapters/cron/digest-now';
import type { AppDeps } from '../app/deps';
import { assertNever, DomainError } from '../shared/domain-error';
import type { DigestStatus } from './sandbox.page';

/** "Run digest now" in the Alerts panel: the same function as `revenant digest --org <team>`. */
export function sandboxDigest(deps: AppDeps, orgId: string, channelName: (id: string) => string | undefined): DigestStatus & { run: () => Promise<string> } {
  return {
    available: true,
    note: 'Posts the watchlist digest now, as `revenant digest` does (DIGEST_CHANNEL is #sre here; `/incident digest #channel` moves it).',
    async run() {
      let r: Awaited<ReturnType<typeof postDigestNow>>;
      try {
        r = await postDigestNow(deps.db, deps.config, orgId, deps.now());
      } catch (e) {
        // postDigestNow explains a missing channel or token in its message: show it rather than a 500.
        throw new DomainError('unavailable', e instanceof Error ? e.message : String(e));
      }
      const o = r.outcome;
      switch (o.type) {
        case 'done':
          return `posted to #${(r.channel && channelName(r.channel)) ?? r.channel ?? 'the digest channel'} (outbox row ${r.outboxId})`;
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
