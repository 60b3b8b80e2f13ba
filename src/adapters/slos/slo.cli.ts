import { createCatalogService } from '../../app/catalog.service';
import { healthGrid } from '../../app/health-grid.service';
import type { CliCommand } from '../../cli';
import { createCatalogFiles } from '../catalog/catalog-files';
import { createSloFiles } from './slo-files';

/** `revenant health --org T [--service S]`: the health grid, one JSON line per service (as `GET /services`). */
export const sloCliCommands: Record<string, CliCommand> = {
  health: async ({ flags, db, config }) => {
    const org = typeof flags.org === 'string' ? flags.org : '';
    if (!org) throw new Error('--org is required');
    const files = createCatalogFiles(config.catalogPath);
    await files.reload();
    const source = createSloFiles(config.slo.path, { watch: false });
    try {
      const grid = await healthGrid({ db, config, catalog: createCatalogService(files), slos: { source } }, org);
      const only = typeof flags.service === 'string' ? flags.service.toLowerCase() : undefined;
      for (const row of grid.rows.filter((r) => !only || r.service === only)) console.log(JSON.stringify(row));
      if (grid.sloProblems) console.error(`${grid.sloProblems} SLO file problem(s): see the log or GET /slos`);
    } finally {
      source.close();
      files.close();
    }
  },
};
