// `steplens metrics`: the layout-A execution metrics of two result tables given
// as JSON rows (no database involved).

import { readFileSync } from 'node:fs';
import { UsageError, CliError, stringOpt, writeJson, type Command, type ParsedArgs } from '../command.ts';
import { CellJsonError, parseRowsJson } from '../../core/rewards/cell-json.ts';
import { computeMetrics, METRIC_NAMES, type ExecutionMetrics, type QueryOutcome } from '../../core/rewards/metrics.ts';

const LABELS: Record<keyof ExecutionMetrics, string> = {
  cell_precision: 'cell precision',
  cell_recall: 'cell recall',
  tuple_cardinality: 'tuple cardinality',
  tuple_constraint: 'tuple constraint',
  tuple_order: 'tuple order',
  qa: 'QA (cp_cr_tc)',
  f1: 'F1',
  ex: 'layout-A EX',
  bird_ex: 'BIRD EX',
};

/** Reads one side: "ERROR", a JSON array of rows, or @file holding either. */
function readOutcome(args: ParsedArgs, option: 'gold-rows' | 'pred-rows', errorFlag: 'gold-error' | 'pred-error'): QueryOutcome {
  if (args.values[errorFlag] === true) {
    if (stringOpt(args, option) !== undefined) throw new UsageError(`--${errorFlag} and --${option} exclude each other`);
    return { ok: false };
  }
  const raw = stringOpt(args, option);
  if (raw === undefined) throw new UsageError(`missing --${option} (or --${errorFlag})`);
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFileSync(raw.slice(1), 'utf8');
    } catch (err) {
      throw new CliError(`--${option}: cannot read ${raw.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (text.trim() === 'ERROR') return { ok: false };
  try {
    return { ok: true, rows: parseRowsJson(text) };
  } catch (err) {
    const hint = err instanceof CellJsonError ? 'not JSON rows or ERROR: ' : '';
    throw new CliError(`--${option}: ${hint}${(err as Error).message}`);
  }
}

function formatTable(m: ExecutionMetrics): string {
  const width = Math.max(...METRIC_NAMES.map((k) => LABELS[k].length));
  return METRIC_NAMES.map((k) => `${LABELS[k].padEnd(width)}  ${m[k]}`).join('\n') + '\n';
}

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'QATCH / EX / BIRD EX metrics of two result tables given as JSON rows',
  usage: [
    'steplens metrics --gold-rows <JSON|@file|ERROR> --pred-rows <JSON|@file|ERROR> [--json]',
    'steplens metrics --gold-error --pred-rows <JSON|ERROR> [--json]',
    '',
    'Rows: a JSON array of arrays; a cell is a number, a string, null or {"blob": "<hex>"}.',
    'An integer literal (32) is a SQLite INTEGER, a literal with "." or an exponent (32.0) a REAL.',
    'ERROR (or --gold-error / --pred-error) marks a failed execution.',
  ].join('\n'),
  options: {
    'gold-rows': { type: 'string' },
    'pred-rows': { type: 'string' },
    'gold-error': { type: 'boolean' },
    'pred-error': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run(args, io) {
    const gold = readOutcome(args, 'gold-rows', 'gold-error');
    const pred = readOutcome(args, 'pred-rows', 'pred-error');
    const metrics = computeMetrics(gold, pred);
    if (args.values.json === true) writeJson(io, metrics);
    else io.stdout(formatTable(metrics));
    return 0;
  },
};
