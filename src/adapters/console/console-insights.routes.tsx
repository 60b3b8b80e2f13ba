import { userActor } from '../../app/access.service';
import type { AppDeps } from '../../app/deps';
import { getInsights } from '../../app/insights.service';
import { incidentReplay } from '../../app/replay.service';
import { parseReplayTime, replayFrames, replayRange } from '../../incidents/incident.replay';
import { isInsightWindow } from '../../insights/insights.types';
import { isDomainError } from '../../shared/domain-error';
import { DOMAIN_STATUS } from '../http/api/api.problem';
import type { ConsoleApp } from './console.routes';
import { csrfToken } from './console-session';
import { Layout, Notice, orgPath } from './console.layout';
import { InsightsPage } from './console-insights.page';
import { ReplayPage } from './console-replay.page';

/** `/console/orgs/:org/insights` and `/console/orgs/:org/incidents/:id/replay` (session and org checked upstream). */
export function mountInsightsRoutes(app: ConsoleApp, deps: AppDeps): void {
  app.get('/orgs/:org/insights', async (c) => {
    const user = c.get('consoleUser');
    const asked = (c.req.query('window') ?? '').trim();
    const valid = asked === '' || isInsightWindow(asked);
    const r = await getInsights(
      { db: deps.db, now: deps.now, sla: deps.config.insights.sla },
      {
        orgId: user.orgId,
        actor: userActor(user.userId, user.role),
        window: valid && asked ? (asked as never) : '30d',
      },
    );
    const error = valid
      ? undefined
      : `“${asked.slice(0, 40)}” is not a window; showing the last 30d (choose 7d, 30d or 90d).`;
    return c.html(<InsightsPage r={r} user={user} csrf={csrfToken(c)} error={error} />, valid ? 200 : 400);
  });

  app.get('/orgs/:org/incidents/:id/replay', async (c) => {
    const user = c.get('consoleUser');
    const csrf = csrfToken(c);
    try {
      const { incident, events } = await incidentReplay(deps, {
        orgId: user.orgId,
        incidentId: c.req.param('id'),
        actor: userActor(user.userId, user.role),
        surface: 'console',
      });
      const range = replayRange(events);
      const asked = c.req.query('t');
      const at = parseReplayTime(asked, range);
      const error =
        at === undefined
          ? `“${(asked ?? '').slice(0, 40)}” is not a moment: use an ISO time such as ` +
            `${new Date(range.start).toISOString()} or seconds after the declaration; showing the declaration.`
          : undefined;
      const v = {
        incidentId: incident.id,
        number: incident.number,
        events,
        frames: replayFrames(events),
        range,
        at: at ?? range.start,
      };
      return c.html(<ReplayPage v={v} user={user} csrf={csrf} error={error} />, error ? 400 : 200);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      const status = DOMAIN_STATUS[e.code] as 404;
      return c.html(
        <Layout title="Not found" user={user} active="incidents" csrf={csrf}>
          <Notice kind="error">{e.code === 'not_found' ? 'No such incident in this workspace.' : e.reason}</Notice>
          <p>
            <a href={orgPath(user.orgId, 'incidents')}>Back to incidents</a>
          </p>
        </Layout>,
        status,
      );
    }
  });
}
