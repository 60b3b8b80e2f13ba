import { effect } from '../../app/effects';
import { firesAt } from '../../watchlist/digest.schedule';
import { minuteSlot } from '../../watchlist/time.format';
import { claimSlot } from '../db/digest.repo';
import { installedOrgs } from '../db/insights.repo';
import { enqueueEffects } from '../db/outbox.repo';
import type { Job } from './job';

/**
 * The weekly insights post: when INSIGHTS_CRON (UTC) fires and INSIGHTS_CHANNEL is set, each workspace gets
 * one `insights.post` of the last 30 days. The slot row (kind `insights`) makes it once across processes.
 */
export const insightsJob: Job = async (ctx, at) => {
  const { cron, channel } = ctx.config.insights;
  if (!cron || !channel) return [];
  const slot = minuteSlot(at);
  if (!firesAt(cron, 'UTC', new Date(slot))) return [];
  const home = await ctx.homeOrg?.().catch(() => undefined);
  const orgs = home ? [home] : await installedOrgs(ctx.db);
  const claimed: string[] = [];
  for (const orgId of orgs) {
    const won = await ctx.db.transaction().execute(async (trx) => {
      if (!(await claimSlot(trx, { orgId, kind: 'insights', subject: channel, slot, by: ctx.id, at }))) return false;
      await enqueueEffects(trx, orgId, null, [effect('insights.post', { channel, window: '30d', slot })], at);
      return true;
    });
    if (won) claimed.push(orgId);
  }
  return claimed;
};
