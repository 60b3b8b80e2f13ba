import { viewHealthGrid } from '../../../app/health-grid.service';
import type { Subcommand } from '../subcommands/subcommand';
import { healthGridBlocks, STATUS_COLOUR } from './slo.blocks';

/** `/incident health [service]`: the health grid, every member may look. */
export const sloSubcommands: Subcommand[] = [
  {
    name: 'health',
    usage: '`health [service]` — every catalog service: status, SLOs, budget, burn, open incident',
    async run(ctx, deps) {
      const grid = await viewHealthGrid(deps, { orgId: ctx.orgId, actor: ctx.actor });
      const want = ctx.args.trim().toLowerCase();
      const rows = want ? grid.rows.filter((r) => r.service === want) : grid.rows;
      const counts = (['breached', 'at_risk', 'unknown', 'healthy'] as const)
        .map((s) => [s, rows.filter((r) => r.status === s).length] as const)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${STATUS_COLOUR[s]} ${n}`);
      const text =
        want && !rows.length
          ? `No service "${want}" in the catalog or the SLO files.`
          : `Service health: ${counts.join(' · ') || 'no services'}`;
      return { text, blocks: healthGridBlocks(ctx.orgId, rows, { problems: grid.sloProblems }) };
    },
  },
];
