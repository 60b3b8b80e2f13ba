import { connectorSubcommands } from './connector.subcommands';
import { coreSubcommands } from './core.subcommands';
import { guidanceSubcommands } from './guidance.subcommands';
import { postmortemSubcommands } from './postmortem.subcommands';
import type { Subcommand } from './subcommand';
import { digestSubcommands } from '../digest.subcommands';

/** Every `/incident` subcommand. Feature areas append theirs here (one import, one spread). */
export const subcommands: Subcommand[] = [...coreSubcommands, ...connectorSubcommands, ...postmortemSubcommands, ...guidanceSubcommands, ...digestSubcommands];

export function findSubcommand(name: string): Subcommand | undefined {
  return subcommands.find((s) => s.name === name || s.aliases?.includes(name));
}
