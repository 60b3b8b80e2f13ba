import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../../app/deps';
import { CHANNEL_AUDIENCE, getInsights } from '../../../app/insights.service';
import type { Actor } from '../../../incidents/incident.types';
import { insightsPoster } from '../../../insights/insights.charts';
import { insightsLines } from '../../../insights/insights.format';
import type { Insights, InsightWindow } from '../../../insights/insights.types';
import { DomainError } from '../../../shared/domain-error';
import { svgToPng } from '../../charts/chart.png';
import { slackErrorCode } from '../slack-errors';

export const insightsDeps = (deps: Pick<AppDeps, 'db' | 'now' | 'config'>) => ({
  db: deps.db,
  now: deps.now,
  sla: deps.config.insights.sla,
});

/**
 * The insights charts as one PNG in the channel (`files.uploadV2`), the numbers as its comment. A channel
 * post is read by everyone there, so private incidents are counted in the totals only, whoever asked.
 */
export async function postInsights(
  client: WebClient,
  deps: Pick<AppDeps, 'db' | 'now' | 'config'>,
  o: { orgId: string; actor: Pick<Actor, 'id' | 'role'>; channelId: string; window: InsightWindow; filename?: string },
): Promise<{ insights: Insights; width: number; height: number }> {
  const insights = await getInsights(insightsDeps(deps), {
    orgId: o.orgId,
    actor: o.actor,
    window: o.window,
    audience: CHANNEL_AUDIENCE,
  });
  const { png, width, height } = svgToPng(insightsPoster(insights));
  try {
    await client.filesUploadV2({
      channel_id: o.channelId,
      file: png,
      filename: o.filename ?? `insights-${o.window}-${insights.to.slice(0, 10)}.png`,
      title: `Insights, last ${o.window}`,
      alt_text: `Incidents per week by severity and median response times by severity, last ${o.window}`,
      initial_comment: insightsLines(insights).join('\n'),
    });
  } catch (e) {
    const code = slackErrorCode(e);
    if (code === 'not_in_channel' || code === 'channel_not_found')
      throw new DomainError(
        'invalid_input',
        'I cannot post in this channel: invite me with `/invite @Revenant` and try again.',
      );
    throw e;
  }
  return { insights, width, height };
}
