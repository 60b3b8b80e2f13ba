import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { homeDashboard } from '../../../app/home.service';
import { viewHealthGrid } from '../../../app/health-grid.service';
import { homeHealthBlocks } from '../slos/slo.blocks';
import { deploymentsOverview } from '../../../app/changes.service';
import { deploymentsHomeBlocks } from '../changes/changes-home.blocks';
import { slackRequest } from '../request-context';
import { dashboardBlocks, viewerTimeZone } from './home.sections';

/** Slack allows 100 blocks in a Home tab. */
const HOME_BLOCKS = 100;

/** The App Home tab, published whenever a member opens it. */
export function registerHomeTab(app: App, deps: AppDeps) {
  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    const req = slackRequest(context);
    const actor = await req.actor();
    const [dashboard, tz, grid, deploys] = await Promise.all([
      homeDashboard({ db: deps.db, defaults: deps.config.digest, now: deps.now }, { orgId: req.orgId, actor }),
      viewerTimeZone(client, event.user),
      // The health grid is a section of its own: if it fails, Home still shows the rest.
      viewHealthGrid(deps, { orgId: req.orgId, actor }).catch(() => undefined),
      deploymentsOverview({ db: deps.db }, { orgId: req.orgId, actor }).catch(() => undefined),
    ]);
    const health = [...homeHealthBlocks(req.orgId, grid), ...deploymentsHomeBlocks(deploys)];
    const blocks = [...dashboardBlocks(req.orgId, dashboard, deps.now(), tz).slice(0, HOME_BLOCKS - health.length), ...health];
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks } as never });
  });
}
