// The shape every `steplens <command>` implements. Commands live one per file
// in ./commands and are listed in ./commands/index.ts.

import type { ParseArgsConfig } from 'node:util';
import { jsonReplacer } from '../core/json.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (progress bars, colours). */
  isTTY: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  /** Usage line(s) shown by `steplens help <command>` and on usage errors. */
  usage: string;
  options: OptionSpec;
  allowPositionals?: boolean;
  /** Returns the process exit code. */
  run(args: ParsedArgs, io: CommandIO): Promise<number> | number;
}

/** A failure the user can fix; printed as one line, never with a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Usage mistakes exit with 2, like most Unix tools. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export function stringOpt(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function requireOpt(args: ParsedArgs, name: string): string {
  const v = stringOpt(args, name);
  if (v === undefined) throw new UsageError(`missing --${name}`);
  return v;
}

export function intOpt(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringOpt(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, got "${v}"`);
  return n;
}

export function writeJson(io: CommandIO, value: unknown): void {
  io.stdout(JSON.stringify(value, jsonReplacer) + '\n');
}

