import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { homeDashboard } from '../../../app/home.service';
import { slackRequest } from '../request-context';
import { dashboardBlocks, viewerTimeZone } from './home.sections';

/** Slack allows 100 blocks in a Home tab. */
const HOME_BLOCKS = 100;

/** The App Home tab, published whenever a member opens it. */
export function registerHomeTab(app: App, deps: AppDeps) {
  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    const req = slackRequest(context);
    const [dashboard, tz] = await Promise.all([
      homeDashboard(
        { db: deps.db, defaults: deps.config.digest, now: deps.now },
        { orgId: req.orgId, actor: await req.actor() },
      ),
      viewerTimeZone(client, event.user),
    ]);
    const blocks = dashboardBlocks(req.orgId, dashboard, deps.now(), tz).slice(0, HOME_BLOCKS);
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks } as never });
  });
}
