// `steplens` command-line entry point: argument parsing, dispatch, and the one
// place where errors become a single line on stderr and an exit code.

import { parseArgs } from 'node:util';
import { CliError, UsageError, type Command, type CommandIO } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { VERSION } from '../core/version.ts';
import { SqlError } from '../core/sql/errors.ts';
import { applyV8Flags } from '../core/v8-flags.ts';

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `steplens ${VERSION}: inspect Text-to-SQL reasoning\n\nUsage: steplens <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`steplens help <command>\` for a command's options.\n`;
}

function commandHelp(cmd: Command): string {
  return `${cmd.summary}\n\nUsage:\n${cmd.usage.split('\n').map((l) => '  ' + l).join('\n')}\n`;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const target = name === 'help' && rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout(target ? commandHelp(target) : helpText());
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  try {
    if (!cmd) throw new UsageError(`unknown command "${name}" (see \`steplens help\`)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(commandHelp(cmd));
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: cmd.allowPositionals ?? false, strict: true });
    } catch (err) {
      throw new UsageError(`${(err as Error).message.split('\n')[0]}\nusage: ${cmd.usage.split('\n')[0]}`);
    }
    return await cmd.run(parsed as never, io);
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CommandIO): number {
  if (err instanceof CliError) {
    io.stderr(`steplens: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof SqlError) {
    io.stderr(`steplens: ${err.kind.replace('_', ' ')} error: ${err.message}\n`);
    return 1;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'ENOENT' && e.path) {
    io.stderr(`steplens: no such file: ${e.path}\n`);
    return 1;
  }
  // Unexpected: still one line; the stack only on request.
  io.stderr(`steplens: internal error: ${e?.message ?? String(err)}${process.env.STEPLENS_DEBUG ? '\n' + e?.stack : ' (set STEPLENS_DEBUG=1 for a stack trace)'}\n`);
  return 70;
}

/** Entry point of the bundled CLI (bin/steplens.cjs). */
export function runCli(): void {
  applyV8Flags();
  const io: CommandIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
