import { createDigestService } from '../../app/digest.service';
import type { Job } from './job';

/**
 * Each workspace whose schedule fires in this minute gets its digest, through the same use case as
 * `/incident digest now` and `revenant digest` (the slot row makes it once across processes).
 */
export const digestJob: Job = async (ctx, at) => {
  const homeOrg = await ctx.homeOrg?.().catch(() => undefined);
  const digests = createDigestService({ db: ctx.db, defaults: ctx.config.digest, now: () => at });
  return digests.postScheduled({ at, homeOrg, by: ctx.id });
};
