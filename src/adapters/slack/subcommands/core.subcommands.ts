import { HELP_TEXT } from '../incident.blocks';
import type { Subcommand } from './subcommand';

/** `help` (and no text at all): usage, for everyone. */
export const coreSubcommands: Subcommand[] = [
  { name: 'help', usage: '`help`', run: async () => ({ text: HELP_TEXT }) },
];
