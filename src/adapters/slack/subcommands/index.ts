import { apiSubcommands } from './api.subcommands';
import { webhookSubcommands } from './webhook.subcommands';
import { connectorSubcommands } from './connector.subcommands';
import { coreSubcommands } from './core.subcommands';
import { accessSubcommands } from './access.subcommands';
import { incidentSubcommands } from '../incidents/incident.subcommands';
import { guidanceSubcommands } from '../guidance/guidance.subcommands';
import { postmortemSubcommands } from '../postmortems/postmortem.subcommands';
import type { Subcommand } from './subcommand';
import { catalogSubcommands } from '../catalog/catalog.subcommands';
import { insightsSubcommands } from '../insights/insights.subcommands';
import { digestSubcommands } from '../digest/digest.subcommands';
import { changesSubcommands } from '../changes/changes.subcommands';
import { privacySubcommands } from '../privacy/privacy.subcommands';
import { rollbackSubcommands } from '../rollback/rollback.subcommands';
import { followUpSubcommands } from '../followups/followups.subcommands';
import { timelineSyncSubcommands } from '../incidents/timeline-sync.subcommands';
import { catchupSubcommands } from '../catchup/catchup.subcommands';
import { sloSubcommands } from '../slos/slo.subcommands';

/** Every `/incident` subcommand. Feature areas append theirs here (one import, one spread). */
export const subcommands: Subcommand[] = [
  ...coreSubcommands,
  ...incidentSubcommands,
  ...accessSubcommands,
  ...connectorSubcommands,
  ...postmortemSubcommands,
  ...guidanceSubcommands,
  ...digestSubcommands,
  ...apiSubcommands,
  ...webhookSubcommands,
  ...changesSubcommands,
  ...privacySubcommands,
  ...rollbackSubcommands,
  ...followUpSubcommands,
  ...insightsSubcommands,
  ...catalogSubcommands,
  ...timelineSyncSubcommands,
  ...catchupSubcommands,
  ...sloSubcommands,
];

export function findSubcommand(name: string): Subcommand | undefined {
  return subcommands.find((s) => s.name === name || s.aliases?.includes(name));
}
