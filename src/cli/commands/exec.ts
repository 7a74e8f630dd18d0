// `steplens exec`: run one SQL query on a database through the safe execution
// service (read-only, one statement, timeout in a separate process).

import { CliError, intOpt, requireOpt, writeJson, type Command, type ParsedArgs } from '../command.ts';
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_MAX_RESULT_BYTES, DEFAULT_MAX_RESULT_CELLS, DEFAULT_TIMEOUT_MS, ExecPool } from '../../core/exec/pool.ts';
import type { Cell, ExecResult } from '../../core/exec/protocol.ts';

/** The execution options `exec`, `reward` and `score` share: the result budget (docs/execution.md, "Result budget") and the busy timeout. */
export const EXEC_LIMIT_OPTIONS = {
  'max-result-cells': { type: 'string' },
  'max-result-bytes': { type: 'string' },
  'busy-timeout-ms': { type: 'string' },
} as const;

export const EXEC_LIMIT_USAGE =
  `--max-result-cells N (default ${DEFAULT_MAX_RESULT_CELLS}) --max-result-bytes N (default ${DEFAULT_MAX_RESULT_BYTES}; 0 = no budget)` +
  ` --busy-timeout-ms N (wait for a locked database, default ${DEFAULT_BUSY_TIMEOUT_MS})`;

/** ExecPool options from the shared flags. */
export function execLimits(args: ParsedArgs): { maxResultCells: number; maxResultBytes: number; busyTimeoutMs: number } {
  return {
    maxResultCells: intOpt(args, 'max-result-cells', DEFAULT_MAX_RESULT_CELLS),
    maxResultBytes: intOpt(args, 'max-result-bytes', DEFAULT_MAX_RESULT_BYTES),
    busyTimeoutMs: intOpt(args, 'busy-timeout-ms', DEFAULT_BUSY_TIMEOUT_MS),
  };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (b: Uint8Array): string => Array.from(b, (x) => HEX[x]).join('');

const rawJSON = (JSON as unknown as { rawJSON: (text: string) => unknown }).rawJSON;

/** JSON cannot hold bytes: a BLOB becomes {"blob": "<hex>"}; a bigint is written as a number with all its digits. */
function jsonCell(c: Cell): unknown {
  if (c instanceof Uint8Array) return { blob: hex(c) };
  // JSON.rawJSON (Node >= 21) directly: a replacer's return value never gets its toJSON() called.
  return typeof c === 'bigint' ? rawJSON(c.toString()) : c;
}

function textCell(c: Cell): string {
  if (c === null) return 'NULL';
  if (c instanceof Uint8Array) return `x'${hex(c)}'`;
  const s = String(c).replace(/\r?\n/g, '\u21b5');
  return s.length > 60 ? s.slice(0, 59) + '\u2026' : s;
}

function table(r: ExecResult): string {
  const head = r.columns;
  const body = r.rows.map((row) => row.map(textCell));
  const width = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join(' | ').trimEnd();
  const out = head.length ? [line(head), width.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)] : [];
  const n = r.rows.length;
  out.push(`(${n} row${n === 1 ? '' : 's'}${r.truncated ? ', truncated at the row cap' : ''}, ${r.elapsed_ms.toFixed(2)} ms)`);
  return out.join('\n') + '\n';
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'Run one read-only SQL query on a SQLite database (timeout, row cap)',
  usage: `steplens exec --db <file.sqlite> --sql <SQL> [--timeout-ms N] [--row-cap N] [${EXEC_LIMIT_USAGE}] [--json]`,
  options: {
    db: { type: 'string' },
    sql: { type: 'string' },
    'timeout-ms': { type: 'string' },
    'row-cap': { type: 'string' },
    ...EXEC_LIMIT_OPTIONS,
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const db = requireOpt(args, 'db');
    const sql = requireOpt(args, 'sql');
    const timeoutMs = intOpt(args, 'timeout-ms', DEFAULT_TIMEOUT_MS);
    const rowCap = intOpt(args, 'row-cap', 0);
    if (timeoutMs === 0) throw new CliError('--timeout-ms must be at least 1', 2);
    let pool: ExecPool;
    try {
      pool = new ExecPool({ size: 1, timeoutMs, rowCap, ...execLimits(args) });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    let r: ExecResult;
    try {
      r = await pool.run({ db, sql });
    } catch (err) {
      throw new CliError(`${db}: ${(err as Error).message}`);
    } finally {
      await pool.close();
    }
    if (args.values.json) {
      writeJson(io, {
        columns: r.columns,
        rows: r.rows.map((row) => row.map(jsonCell)),
        types: r.types,
        elapsed_ms: r.elapsed_ms,
        truncated: r.truncated,
        error: r.error,
      });
    } else if (!r.error) {
      io.stdout(table(r));
    }
    if (r.error) {
      io.stderr(`steplens: ${db}: ${r.error.kind.replace(/_/g, ' ')}: ${r.error.message.split('\n')[0]}\n`);
      return 1;
    }
    return 0;
  },
};
