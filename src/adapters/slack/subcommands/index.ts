import { apiSubcommands } from './api.subcommands';
import { connectorSubcommands } from './connector.subcommands';
import { coreSubcommands } from './core.subcommands';
import { accessSubcommands } from './access.subcommands';
import { incidentSubcommands } from '../incidents/incident.subcommands';
import { guidanceSubcommands } from '../guidance/guidance.subcommands';
import { postmortemSubcommands } from '../postmortems/postmortem.subcommands';
import type { Subcommand } from './subcommand';
import { digestSubcommands } from '../digest/digest.subcommands';
import { changesSubcommands } from '../changes/changes.subcommands';

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
  ...changesSubcommands,
];

export function findSubcommand(name: string): Subcommand | undefined {
  return subcommands.find((s) => s.name === name || s.aliases?.includes(name));
}
