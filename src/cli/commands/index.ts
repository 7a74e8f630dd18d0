// Every CLI command, in the order `steplens help` lists them.
import type { Command } from '../command.ts';

export const COMMANDS: Command[] = [];
