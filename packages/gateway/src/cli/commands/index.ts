import type { Command } from 'commander';
import { registerFaxFileCommands } from './fax-files.js';

/** One module per command area; each adds its subcommands to the program. */
export type RegisterCommands = (program: Command) => void;

// Add a line per command module (keep the list sorted).
export const commandModules: RegisterCommands[] = [registerFaxFileCommands];
