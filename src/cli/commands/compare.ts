// `steplens compare`: two scored outputs of the same dataset, record by record
// (core/dataset/compare.ts; the --json schema steplens.compare/1 is in
// docs/dataset.md). The text table lists the records that changed.

import { basename } from 'node:path';
import { compareRuns, type CompareResult, type CompareSide, type ComparePair } from '../../core/dataset/compare.ts';
import { CliError, UsageError, intOpt, stringOpt, writeJson, type Command } from '../command.ts';

const ONLY = ['improved', 'regressed', 'changed'] as const;

export const compareCommand: Command = {
  name: 'compare',
  summary: 'Compare two scored outputs of the same dataset record by record (EX, headline reward, StepRTM)',
  usage: [
    'steplens compare <a.jsonl> <b.jsonl> [--json] [--only improved|regressed|changed] [--limit N]',
    '',
    '  Records are paired by id (else by position); b − a per pair. Each side is labelled with its file and the',
    '  run fingerprint beside it (<file>.run.json) when there is one.',
    '  --json        the whole comparison as JSON (schema steplens.compare/1, docs/dataset.md)',
    '  --only <v>    list only improved, regressed or (all) changed records',
    '  --limit N     rows in the text table (default 50; 0 = all)',
  ].join('\n'),
  options: { json: { type: 'boolean' }, only: { type: 'string' }, limit: { type: 'string' } },
  allowPositionals: true,
  async run(args, io) {
    if (args.positionals.length !== 2) throw new UsageError(`give two scored outputs: steplens compare <a.jsonl> <b.jsonl> (got ${args.positionals.length} files)`);
    const [a, b] = args.positionals;
    const only = stringOpt(args, 'only');
    if (only !== undefined && !(ONLY as readonly string[]).includes(only)) throw new UsageError(`--only is one of ${ONLY.join(', ')}, got "${only}"`);
    const limit = intOpt(args, 'limit', 50);
    let r: CompareResult;
    try {
      r = await compareRuns(a, b);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (only === 'improved' || only === 'regressed') r = { ...r, changed: r.changed.filter((p) => p.verdict === only) };
    if (args.values.json) {
      writeJson(io, r);
      return 0;
    }
    io.stdout(formatCompare(r, limit));
    for (const w of r.warnings) io.stderr(`steplens: warning: ${w}\n`);
    return 0;
  },
};

function runLabel(s: CompareSide): string {
  if (!s.run) return 'no run fingerprint';
  const inputs = s.run.inputs.filter((f) => f.role === 'input').map((f) => `${basename(f.path)} ${f.sha256.slice(0, 12)}`);
  const reward = s.run.options.reward;
  return `run: ${inputs.join(', ') || 'no inputs'}${reward ? `, reward ${reward}` : ''}`;
}

const fmt = (v: number | null) => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(3));
const fmtDelta = (d: number | null) => (d === null || d === 0 ? '' : ` (${d > 0 ? '+' : ''}${d.toFixed(3)})`);

export function formatCompare(r: CompareResult, limit: number): string {
  const c = r.counts;
  const lines: string[] = [];
  lines.push(`A: ${r.a.file}  (${r.a.records} records; ${runLabel(r.a)})`);
  lines.push(`B: ${r.b.file}  (${r.b.records} records; ${runLabel(r.b)})`);
  lines.push(`paired by ${r.paired_by}: ${c.pairs} pairs; ${c.changed} changed: ${c.improved} improved, ${c.regressed} regressed, ${c.changed - c.improved - c.regressed} otherwise; ${c.unchanged} unchanged; ${c.only_a} only in A, ${c.only_b} only in B`);
  const shown = limit > 0 ? r.changed.slice(0, limit) : r.changed;
  if (shown.length) {
    const head = ['', 'id', 'db', 'EX a→b', 'headline a→b', 'StepRTM a→b', 'lines a/b'];
    const cell = (p: ComparePair) => [
      p.verdict === 'improved' ? '+' : p.verdict === 'regressed' ? '-' : '~',
      String(p.id ?? '–'),
      p.db_id ?? '–',
      `${fmt(p.a.ex)}→${fmt(p.b.ex)}`,
      `${fmt(p.a.headline)}→${fmt(p.b.headline)}${fmtDelta(p.delta.headline)}`,
      `${fmt(p.a.step_rtm)}→${fmt(p.b.step_rtm)}${fmtDelta(p.delta.step_rtm)}`,
      `${p.a.line}/${p.b.line}`,
    ];
    const table = [head, ...shown.map(cell)];
    const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
    lines.push('');
    for (const row of table) lines.push(row.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd());
    if (shown.length < r.changed.length) lines.push(`... ${r.changed.length - shown.length} more (--limit 0 for all, --json for everything)`);
  }
  return lines.join('\n') + '\n';
}
