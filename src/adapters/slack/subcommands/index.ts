import { coreSubcommands } from './core.subcommands';
import type { Subcommand } from './subcommand';

/** Every `/incident` subcommand. Feature areas append theirs here (one import, one spread). */
export const subcommands: Subcommand[] = [...coreSubcommands];

export function findSubcommand(name: string): Subcommand | undefined {
  return subcommands.find((s) => s.name === name || s.aliases?.includes(name));
}
