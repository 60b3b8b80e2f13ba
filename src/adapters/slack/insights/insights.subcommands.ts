import { parseWindow } from '../../../app/insights.service';
import type { Subcommand } from '../subcommands/subcommand';
import { postInsights } from './insights.post';

export const insightsSubcommands: Subcommand[] = [
  {
    name: 'insights',
    usage: '`insights [7d|30d|90d]` — MTTA/MTTM/MTTR, incidents per week, SLA and completion rates as a chart',
    // Rendering the PNG and a three-step upload: ack first, answer through response_url.
    slow: true,
    async run(ctx, deps) {
      const window = parseWindow(ctx.args);
      const { insights } = await postInsights(ctx.client, deps, {
        orgId: ctx.orgId,
        actor: ctx.actor,
        channelId: ctx.channelId,
        window,
      });
      return {
        text:
          `:bar_chart: Posted the insights for the last ${window} ` +
          `(${insights.totals.incidents} incidents) in this channel.`,
      };
    },
  },
];
