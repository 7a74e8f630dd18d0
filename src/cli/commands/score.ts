// `steplens score`: every reward for every record of one or more datasets or
// published prediction files. Reading is core/score/input.ts, scoring
// core/score/run.ts; this file wires options, output, resume, progress, the
// summary and the report.

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { availableParallelism, totalmem } from 'node:os';
import { DEFAULT_MAX_RESULT_BYTES, DEFAULT_MAX_RESULT_CELLS, ExecPool, ResultCache, VerdictCache, clampWorkers } from '../../core/exec/index.ts';
import { PLUG_VALUE_MAX_CANDIDATES } from '../../core/exec/official.ts';
import { cpuReport } from '../cpu-report.ts';
import { parseWeights, type RewardWeight } from '../../core/rewards/weighted.ts';
import { databaseResolver } from '../../core/score/databases.ts';
import { DEFAULT_HEADLINE, HEADLINE_NAMES, headlineNeedsExecution, isHeadlineName } from '../../core/score/headline.ts';
import { readScoreInput, type FieldOptions } from '../../core/score/input.ts';
import { JsonlWriter, readPreviousOutput, recordLine, replaceLines, sortOutputLines } from '../../core/score/output.ts';
import { EXIT_INFRASTRUCTURE } from '../../core/score/infra.ts';
import {
  OutputGuardError,
  OutputLock,
  RUN_SCHEMA,
  checkOutputPath,
  fileFingerprint,
  fingerprintChanges,
  fingerprintPath,
  readFingerprint,
  writeFingerprint,
  type RunFingerprint,
} from '../../core/score/output-guard.ts';
import { itemKey, recordKey, runScore } from '../../core/score/run.ts';
import { StructuralCache } from '../../core/score/structural-cache.ts';
import { StructuralPool } from '../../core/score/structural-pool.ts';
import { SummaryBuilder } from '../../core/score/summary.ts';
import type { BadRecord, InputItem, ScoredRecord } from '../../core/score/types.ts';
import { CliError, UsageError, intOpt, stringOpt, type Command, type ParsedArgs } from '../command.ts';
import { Progress } from '../progress.ts';
import { formatSummary } from '../summary-text.ts';
import { EXEC_LIMIT_OPTIONS, EXEC_LIMIT_USAGE, execLimits } from './exec.ts';

const FIELD_FLAGS = ['gold', 'pred', 'completion', 'db', 'id', 'question', 'evidence'] as const;

export const scoreCommand: Command = {
  name: 'score',
  summary: 'Score datasets or prediction files: every execution and structural reward, a summary, an HTML report',
  usage: [
    'steplens score <file>... (--db-root <dir> | --schema <tables.json> | both) [options]',
    '',
    'Input: JSONL or JSON arrays (gold: gold_sql|query|SQL; prediction: pred_sql|prediction or a completion in',
    '  completion|response|output|messages; db_id, question, evidence, id), or published prediction files',
    '  (.txt/.sql one SQL per line, SQL<TAB>db_id, BIRD {"i": "SQL\\t----- bird -----\\tdb_id"}, DIN-SQL CSV) with --gold.',
    '  --gold <file>              gold to pair prediction files with (Spider/BIRD dev.json, gold SQL<TAB>db_id lines)',
    '  --<gold|pred|completion|db|id|question|evidence>-field <name>   use this field instead of auto-detection',
    'Databases:',
    '  --db-root <dir>            <dir>/<db_id>/<db_id>.sqlite (executed, schema read from it)',
    '  --schema <tables.json>     schemas for databases that are not under --db-root (structural scores only)',
    '  --test-suite <dir>         official test-suite EX over the record\'s database and <dir>/<db_id>/*.sqlite',
    '  --keep-distinct            Spider EX and test-suite EX keep DISTINCT (the official --keep_distinct; default: removed)',
    `  --plug-value               Spider EX and test-suite EX also try gold's values in the prediction's value slots (the official`,
    `                             --plug_value; default off); past ${PLUG_VALUE_MAX_CANDIDATES} candidates no verdict unless the prediction itself is right`,
    '  --structural-only          do not execute anything',
    'Scoring:',
    `  --reward <name>            headline reward (default ${DEFAULT_HEADLINE}; also EX, QATCH, ex, qa, weighted, test_suite, relpm_f1, ...)`,
    '  --weights "QATCH=0.95,format_think=0.05"   the weighted sum (TRL float32)',
    '  --timeout-ms N (default 30000)   --jobs N (worker processes, default: cores)   --row-cap N (0 = none)',
    '  --structural-threads N     threads that parse, plan and match (default: cores - 1, at least 1; 0 = main thread)',
    `  ${EXEC_LIMIT_USAGE}: a bigger result is the error result_too_large`,
    'Output:',
    '  --out <file.jsonl>         one record per input record, in input order (default: stdout)',
    '  --resume                   skip records already in --out and append the rest (refused if inputs or options changed)',
    '  --force                    replace an existing --out (without it, an existing file is never overwritten)',
    '  --summary-json <file>      the summary as JSON',
    '  --report <file.html>       a self-contained HTML report',
    '  --quiet                    no progress, no summary on stderr',
  ].join('\n'),
  options: {
    'structural-only': { type: 'boolean' },
    'keep-distinct': { type: 'boolean' },
    'plug-value': { type: 'boolean' },
    'db-root': { type: 'string' },
    schema: { type: 'string' },
    'test-suite': { type: 'string' },
    gold: { type: 'string' },
    reward: { type: 'string' },
    weights: { type: 'string' },
    'timeout-ms': { type: 'string' },
    jobs: { type: 'string' },
    'structural-threads': { type: 'string' },
    'row-cap': { type: 'string' },
    ...EXEC_LIMIT_OPTIONS,
    out: { type: 'string' },
    resume: { type: 'boolean' },
    force: { type: 'boolean' },
    'summary-json': { type: 'string' },
    report: { type: 'string' },
    quiet: { type: 'boolean' },
    ...Object.fromEntries(FIELD_FLAGS.map((f) => [`${f}-field`, { type: 'string' as const }])),
  },
  allowPositionals: true,
  async run(args, io) {
    const inputs = args.positionals;
    if (inputs.length === 0) throw new UsageError('give at least one input file: steplens score <file>... --db-root <dir>');
    const structuralOnly = Boolean(args.values['structural-only']);
    const dbRoot = stringOpt(args, 'db-root');
    const tablesJson = stringOpt(args, 'schema');
    const testSuite = stringOpt(args, 'test-suite');
    if (dbRoot === undefined && tablesJson === undefined) throw new UsageError('give --db-root <dir> (databases) and/or --schema <tables.json> (schemas)');
    if (structuralOnly && testSuite !== undefined) throw new UsageError('--test-suite executes queries; it cannot be combined with --structural-only');
    const reward = stringOpt(args, 'reward') ?? (structuralOnly ? 'relpm_f1' : DEFAULT_HEADLINE);
    if (!isHeadlineName(reward)) throw new UsageError(`unknown --reward "${reward}"; one of: ${[...HEADLINE_NAMES.rewards, ...HEADLINE_NAMES.metrics, ...HEADLINE_NAMES.other].join(', ')}`);
    if (structuralOnly && headlineNeedsExecution(reward)) throw new UsageError(`--reward ${reward} needs execution; with --structural-only use relpm_f1, astpm_f1, steprtm_total or steprtm_outcome`);
    const weights = weightsOpt(args);
    const outPath = stringOpt(args, 'out');
    const resume = Boolean(args.values.resume);
    const force = Boolean(args.values.force);
    if (resume && !outPath) throw new UsageError('--resume needs --out <file> (the file to continue)');
    if (resume && force) throw new UsageError('--resume continues --out and --force replaces it: give one of them');
    const reportPath = stringOpt(args, 'report');
    const summaryPath = stringOpt(args, 'summary-json');
    const quiet = Boolean(args.values.quiet);
    const requestedJobs = intOpt(args, 'jobs', availableParallelism());
    if (requestedJobs < 1) throw new UsageError('--jobs must be at least 1');
    const jobs = clampWorkers(requestedJobs);
    if (jobs < requestedJobs && !quiet) io.stderr(`steplens: --jobs ${requestedJobs} is more than this machine can run at once (${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB); using ${jobs}\n`);
    const timeoutMs = intOpt(args, 'timeout-ms', 30_000);
    if (timeoutMs < 1) throw new UsageError('--timeout-ms must be at least 1');
    const limits = execLimits(args);

    let database: ReturnType<typeof databaseResolver>;
    try {
      database = databaseResolver({ dbRoot, tablesJson, testSuite, busyTimeoutMs: limits.busyTimeoutMs });
    } catch (err) {
      throw new CliError((err as Error).message);
    }

    // Read everything first: a missing or unreadable file stops the run before any output.
    const fields = fieldOptions(args);
    const gold = stringOpt(args, 'gold');
    const items: InputItem[] = [];
    for (const path of inputs) {
      try {
        items.push(...readScoreInput(path, { gold, fields }));
      } catch (err) {
        throw new CliError((err as Error).message);
      }
    }
    const names = inputs.map((p) => basename(p));
    if (new Set(names).size < inputs.length) throw new CliError(`input files must have different names (${names.join(', ')}): records are keyed by file name`);
    reportBadRecords(items, io.stderr, quiet);

    // The output is checked and locked before any thread or worker starts, so a refusal exits at once.
    let lock: OutputLock | null = null;
    let fingerprint: RunFingerprint | null = null;
    if (outPath) {
      const others = [
        ...inputs.map((path) => ({ path, role: 'input' })),
        ...(gold ? [{ path: gold, role: '--gold' }] : []),
        ...(tablesJson ? [{ path: tablesJson, role: '--schema' }] : []),
        ...(reportPath ? [{ path: reportPath, role: '--report' }] : []),
        ...(summaryPath ? [{ path: summaryPath, role: '--summary-json' }] : []),
      ];
      for (const o of others) if (resolve(o.path) === resolve(outPath)) throw new CliError(`--out ${outPath} is the ${o.role} file ${o.path}: refusing to overwrite it`);
      try {
        checkOutputPath({ out: outPath, others, resume, force });
        lock = OutputLock.acquire(outPath, (m) => io.stderr(m + '\n'));
      } catch (err) {
        if (err instanceof OutputGuardError) throw new CliError(err.message);
        throw err;
      }
      fingerprint = {
        schema: RUN_SCHEMA,
        files: others.filter((o) => o.role === 'input' || o.role === '--gold' || o.role === '--schema').map((o) => fileFingerprint(o.role, o.path)),
        options: {
          reward,
          weights: stringOpt(args, 'weights') ?? null,
          'timeout-ms': timeoutMs,
          'row-cap': intOpt(args, 'row-cap', 0),
          // Only when not the default, so that a file written before these options existed still resumes.
          ...(limits.maxResultCells !== DEFAULT_MAX_RESULT_CELLS ? { 'max-result-cells': limits.maxResultCells } : {}),
          ...(limits.maxResultBytes !== DEFAULT_MAX_RESULT_BYTES ? { 'max-result-bytes': limits.maxResultBytes } : {}),
          'test-suite': testSuite ? resolve(testSuite) : null,
          'db-root': dbRoot ? resolve(dbRoot) : null,
          'structural-only': structuralOnly,
          ...(args.values['keep-distinct'] === true ? { 'keep-distinct': true } : {}),
          ...(args.values['plug-value'] === true ? { 'plug-value': true } : {}),
          ...Object.fromEntries(FIELD_FLAGS.map((f) => [`${f}-field`, stringOpt(args, `${f}-field`) ?? null])),
        },
      };
    }
    try {
      return await scoreInto();
    } finally {
      lock?.release();
    }

    async function scoreInto(): Promise<number> {

    const summary = new SummaryBuilder(inputs, reward);
    const keepForReport: ScoredRecord[] | null = reportPath ? [] : null;
    const done = new Set<string>();
    let retried = 0;
    if (resume && existsSync(outPath!) && statSync(outPath!).size > 0) {
      const before = readFingerprint(outPath!);
      if (!before) throw new CliError(`--resume: ${outPath} has no run fingerprint (${fingerprintPath(outPath!)}), so it cannot be checked against these inputs; rerun with --force to start over`);
      const changes = fingerprintChanges(before, fingerprint!);
      if (changes.length) throw new CliError(`--resume: ${outPath} was written by another run: ${changes.join('; ')}. Rerun with --force to start over`);
      let prev;
      try {
        prev = readPreviousOutput(outPath!);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (prev.truncatedBytes > 0 && !quiet) io.stderr(`steplens: ${outPath}: dropped a torn last line (${prev.truncatedBytes} bytes) left by an interrupted run\n`);
      const wanted = new Set(items.map(itemKey));
      const kept: string[] = [];
      for (let i = 0; i < prev.records.length; i++) {
        const r = prev.records[i];
        const key = recordKey(r.source, r.index);
        if (!wanted.has(key) || done.has(key)) continue; // not part of these inputs, or a duplicate
        // A record its database failed (locked, unreadable, gone) is scored again, not kept.
        if (r.status === 'infrastructure_error') {
          retried++;
          continue;
        }
        done.add(key);
        kept.push(prev.lines[i]);
        summary.add(r);
        keepForReport?.push(r);
      }
      // Its old line goes before anything is appended, so the file never holds a record twice.
      if (retried > 0) {
        replaceLines(outPath!, kept);
        if (!quiet) io.stderr(`steplens: retrying ${retried} record${retried === 1 ? '' : 's'} that hit infrastructure errors (busy, io, db_missing)\n`);
      }
    }

    let writer: JsonlWriter | null = null;
    if (outPath) {
      try {
        writer = new JsonlWriter(outPath, { append: resume });
      } catch (err) {
        throw new CliError(`--out ${outPath}: cannot write (${(err as Error).message})`);
      }
      writeFingerprint(outPath, fingerprint!);
    }
    // A test suite has ~34 variant databases per schema: keep their connections open rather than reopen them per query.
    const threads = intOpt(args, 'structural-threads', Math.max(1, Math.min(4, availableParallelism() - 1)));
    const structuralPool = threads > 0 ? new StructuralPool({ dbRoot, tablesJson }, threads) : null;
    const pool = structuralOnly ? null : new ExecPool({ size: jobs, timeoutMs, rowCap: intOpt(args, 'row-cap', 0), ...limits, maxConnections: testSuite ? 1024 : 64 });
    const progress = quiet ? null : new Progress({ write: io.stderr, isTTY: io.isTTY, total: items.length, start: done.size });
    const controller = new AbortController();
    const onSignal = () => {
      if (controller.signal.aborted) process.exit(130); // second Ctrl-C: the file holds whole lines already
      if (!quiet) io.stderr('\nsteplens: stopping after the records in flight (Ctrl-C again to quit now)\n');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Gold runs once per (database, query): with a test suite that is ~20k results for Spider dev.
    // Databases are read-only inputs of a run: look at each file at most once a second, not per query.
    const goldCache = new ResultCache({ maxEntries: 50_000, maxCellsPerEntry: 200_000, identityTtlMs: 1000 });
    const predCache = new ResultCache({ maxEntries: 20_000, maxCellsPerEntry: 20_000, identityTtlMs: 1000 });
    const verdictCache = new VerdictCache();
    const structuralCache = new StructuralCache(50_000, 50_000, structuralPool);
    let result;
    try {
      result = await runScore({
        items,
        context: {
          database,
          pool,
          goldCache,
          predCache,
          verdictCache,
          structuralCache,
          timeoutMs,
          weights,
          reward,
          official: { keepDistinct: args.values['keep-distinct'] === true, plugValue: args.values['plug-value'] === true },
        },
        skip: done.size ? (item) => done.has(itemKey(item)) : undefined,
        sink: (r) => {
          if (writer) writer.write(r);
          else io.stdout(recordLine(r));
          summary.add(r);
          keepForReport?.push(r);
        },
        onProgress: (n) => progress?.update(n),
        signal: controller.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      writer?.close();
      if (process.env.STEPLENS_DEBUG && pool) io.stderr(`steplens: exec pool ${JSON.stringify(pool.stats())}\n`);
      if (process.env.STEPLENS_DEBUG) {
        const caches = { goldCells: goldCache.cells, goldEntries: goldCache.size, predCells: predCache.cells, predEntries: predCache.size, verdictHits: verdictCache.hits, structural: structuralCache.stats() };
        io.stderr(`steplens: caches ${JSON.stringify(caches)}\n`);
      }
      if (process.env.STEPLENS_DEBUG) io.stderr(cpuReport(pool?.spawnedPids() ?? []));
      await Promise.all([pool?.close(), structuralPool?.close()]);
    }
    progress?.finish();
    // Retried records were appended after the rest: put the file back in input order (atomically), as a clean run writes it.
    if (retried > 0 && !result.aborted && outPath) {
      const order = new Map(items.map((it, i) => [itemKey(it), i]));
      sortOutputLines(outPath, (source, index) => order.get(recordKey(source, index)) ?? Infinity);
    }

    const s = summary.finish();
    if (!quiet) io.stderr(formatSummary(s));
    if (summaryPath) writeFileSync(summaryPath, JSON.stringify(s, null, 2) + '\n');
    if (reportPath) {
      // Resumed records come first in the file; the report lists input order.
      const order = new Map(items.map((it, i) => [itemKey(it), i]));
      keepForReport!.sort((a, b) => (order.get(recordKey(a.source, a.index)) ?? 0) - (order.get(recordKey(b.source, b.index)) ?? 0));
      const { renderReportHtml } = await import('../../report/html.ts');
      writeFileSync(reportPath, renderReportHtml(keepForReport!, s, { title: `StepLens: ${inputs.map((p) => basename(p)).join(', ')}` }));
    }
    if (!quiet) {
      const wrote = `${result.written} record${result.written === 1 ? '' : 's'}${result.skipped ? ` (${result.skipped} already in ${outPath})` : ''}`;
      io.stderr(`steplens: wrote ${wrote}${outPath ? ` -> ${outPath}` : ''}${summaryPath ? `, summary -> ${summaryPath}` : ''}${reportPath ? `, report -> ${reportPath}` : ''}\n`);
    }
    if (result.aborted) {
      io.stderr(`steplens: interrupted; ${outPath ? `continue with the same command and --resume` : 'partial output'}\n`);
      return 130;
    }
    if (items.length > 0 && items.every((i) => 'bad' in i)) {
      io.stderr(`steplens: none of the ${items.length} records could be read (see the errors above)\n`);
      return 1;
    }
    if (s.infrastructure_errors > 0) {
      const again = outPath ? 'rerun the same command with --resume to retry them' : 'rerun to retry them';
      io.stderr(`steplens: ${s.infrastructure_errors} record${s.infrastructure_errors === 1 ? ' was' : 's were'} not scored: infrastructure errors (database locked, unreadable or gone); ${again}\n`);
      return EXIT_INFRASTRUCTURE;
    }
    return 0;
    }
  },
};

/** Names the first bad entries with file, line and reason on stderr, and counts the rest. */
function reportBadRecords(items: readonly InputItem[], write: (s: string) => void, quiet: boolean): void {
  const bad = items.filter((i): i is { bad: BadRecord } => 'bad' in i);
  if (bad.length === 0 || (quiet && bad.length < items.length)) return;
  const shown = bad.slice(0, 5).map((b) => `  ${b.bad.message.startsWith(b.bad.source) ? '' : `${b.bad.source} line ${b.bad.line}: `}${b.bad.message}\n`);
  write(`steplens: ${bad.length} of ${items.length} records cannot be scored (each still gets an output record with its error):\n${shown.join('')}${bad.length > 5 ? `  ... and ${bad.length - 5} more\n` : ''}`);
}

function weightsOpt(args: ParsedArgs): RewardWeight[] | undefined {
  const text = stringOpt(args, 'weights');
  if (text === undefined) return undefined;
  try {
    return parseWeights(text);
  } catch (err) {
    throw new UsageError(`--weights: ${(err as Error).message}`);
  }
}

function fieldOptions(args: ParsedArgs): FieldOptions {
  const out: FieldOptions = {};
  for (const f of FIELD_FLAGS) {
    const v = stringOpt(args, `${f}-field`);
    if (v !== undefined) out[f] = v;
  }
  return out;
}
