// `steplens score` speed on Spider dev (npm run bench:score). Reads shared/data.
// The bar: on 2 cores, scoring Spider dev predictions with every
// reward (structural and execution, test-suite EX off), start-up included,
// takes no longer than one core needs merely to parse every statement with
// node-sql-parser and execute it once (ratio goal <= 1.0); with test-suite EX
// on, at least 200 records per second.
//
//  1. Baseline, one core, in this process: the 15 published prediction files
//     paired with dev.json (records on wta_1, which has no database, skipped):
//     every statement is parsed with node-sql-parser (sqlite) and executed
//     once with better-sqlite3 (one read-only connection per database,
//     `.all()`). "Every statement" is read two ways and both are reported:
//     per record (each record's prediction and gold, 29,160 statements: what a
//     pipeline that parses and runs its input does) and distinct gold (each
//     prediction, but each gold only once: 15,113, the stricter reading). Spider's double-quoted
//     strings need SQLite's DQS fallback, which better-sqlite3 leaves off: the
//     statement SQLite would run is resolved once beforehand, untimed, so
//     those statements are really executed (not a cheap failed prepare).
//  2. StepLens: `node bin/steplens.cjs score <15 files> --gold dev.json
//     --db-root ... --schema tables.json --jobs 2 --out <tmp> --quiet` in a
//     child process, wall time from spawn to exit.
//     Baseline and StepLens alternate, BENCH_REPS times (default 3, median).
//  3. Test suite: the same command with --test-suite on BENCH_TS_SYSTEMS
//     systems (default 3; "all" = 15), records per second (goal >= 200), and
//     test-suite EX per system.
// StepLens runs with its own V8 inlining limits (src/core/v8-flags.ts); to give
// the baseline the same, run `node <those flags> bench/score.bench.ts`.
// Environment: BENCH_REPS, BENCH_TS_SYSTEMS, BENCH_JOBS (default 2),
// BENCH_SKIP_TS=1 (skip part 3). Needs `npm run build` (dist/cli.cjs).

import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { prepareLikeDefaultSqlite } from '../src/core/exec/execute.ts';
import type { ScoredRecord, ScoreSummary } from '../src/core/score/types.ts';
import { REPO_ROOT } from '../test/helpers/data.ts';
import { requireData, writeResults } from './lib/results.ts';
import { loadSpiderPairs, median } from './lib/spider-pairs.ts';

const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3));
const JOBS = Math.max(1, Number(process.env.BENCH_JOBS ?? 2));
const TS_SYSTEMS = process.env.BENCH_TS_SYSTEMS === 'all' ? 15 : Math.max(1, Number(process.env.BENCH_TS_SYSTEMS ?? 3));
const SKIP_TS = process.env.BENCH_SKIP_TS === '1';
const GOAL_RATIO = 1.0;
const GOAL_TS_RPS = 200;
const RUNAWAY_MS = 10_000;

const data = requireData();
const spider = join(data, 'spider_dev');
const predDir = join(spider, 'predictions');
const files = readdirSync(predDir).sort().map((f) => join(predDir, f));
const cli = join(REPO_ROOT, 'bin/steplens.cjs');
const dist = join(REPO_ROOT, 'dist/cli.cjs');
if (!existsSync(dist)) {
  console.error('dist/cli.cjs not found: run `npm run build` first');
  process.exit(2);
}
const fmt = (x: number, d = 1) => x.toFixed(d);
const sec = (ms: number) => `${fmt(ms / 1000, 2)} s`;

// ---- 1. baseline ------------------------------------------------------------------

const pairs = loadSpiderPairs(data);
interface Statement {
  dbPath: string;
  sql: string;
  /** What SQLite runs (after the DQS fallback), null if it does not prepare or is not a query. */
  runnable: string | null;
}
const statements: Statement[] = [];
{
  const seenGold = new Set<string>();
  for (const p of pairs) {
    statements.push({ dbPath: p.dbPath, sql: p.pred, runnable: null });
    const g = `${p.dbPath}\u0000${p.gold}`;
    if (!seenGold.has(g)) {
      seenGold.add(g);
      statements.push({ dbPath: p.dbPath, sql: p.gold, runnable: null });
    }
  }
}
const predictions = pairs.length;
const distinctGold = statements.length - predictions;
const perRecord: Statement[] = pairs.flatMap((p) => [
  { dbPath: p.dbPath, sql: p.pred, runnable: null },
  { dbPath: p.dbPath, sql: p.gold, runnable: null },
]);

// Untimed: resolve the DQS fallback once per distinct statement.
{
  const conns = new Map<string, InstanceType<typeof Database>>();
  const memo = new Map<string, string | null>();
  for (const s of [...statements, ...perRecord]) {
    const k = `${s.dbPath}\u0000${s.sql}`;
    if (!memo.has(k)) {
      let db = conns.get(s.dbPath);
      if (!db) conns.set(s.dbPath, (db = new Database(s.dbPath, { readonly: true, fileMustExist: true })));
      let runnable: string | null = null;
      try {
        const stmt = prepareLikeDefaultSqlite(db, s.sql);
        runnable = stmt.reader ? stmt.source : null;
      } catch {
        runnable = null;
      }
      memo.set(k, runnable);
    }
    s.runnable = memo.get(k)!;
  }
  for (const db of conns.values()) db.close();
}

type AstParser = { astify(sql: string, opt: { database: string }): unknown };
const parser = new (createRequire(import.meta.url)('node-sql-parser/build/sqlite.js') as { Parser: new () => AstParser }).Parser();

interface BaselineRun {
  parse_ms: number;
  execute_ms: number;
  total_ms: number;
  parse_failures: number;
  execute_errors: number;
  runaways: { sql: string; db: string; ms: number }[];
}

function baselineOnce(statements: readonly Statement[]): BaselineRun {
  // Parse every statement.
  let parseFailures = 0;
  const tp = performance.now();
  for (const s of statements) {
    try {
      parser.astify(s.sql, { database: 'sqlite' });
    } catch {
      parseFailures++;
    }
  }
  const parseMs = performance.now() - tp;
  // Execute every statement once: a read-only connection per database, opened in the timed part.
  const conns = new Map<string, InstanceType<typeof Database>>();
  let errors = 0;
  const runaways: BaselineRun['runaways'] = [];
  const te = performance.now();
  for (const s of statements) {
    const t = performance.now();
    try {
      let db = conns.get(s.dbPath);
      if (!db) conns.set(s.dbPath, (db = new Database(s.dbPath, { readonly: true, fileMustExist: true })));
      const stmt = db.prepare(s.runnable ?? s.sql);
      if (stmt.reader) stmt.all();
      else errors++; // not a query: the scorer refuses it too
    } catch {
      errors++;
    }
    const ms = performance.now() - t;
    if (ms > RUNAWAY_MS) runaways.push({ sql: s.sql, db: s.dbPath, ms });
  }
  for (const db of conns.values()) db.close();
  const executeMs = performance.now() - te;
  return { parse_ms: parseMs, execute_ms: executeMs, total_ms: parseMs + executeMs, parse_failures: parseFailures, execute_errors: errors, runaways };
}

// ---- 2. StepLens ------------------------------------------------------------------

interface CliRun {
  wall_ms: number;
  records: number;
  summary: ScoreSummary;
  /** Sums over the output records' timing fields (overlapping: records run concurrently). */
  timing_sums: { structural_ms: number; execution_ms: number; test_suite_ms: number; total_ms: number };
}

function runScore(inputs: string[], extra: string[], tmp: string, tag: string): CliRun {
  const out = join(tmp, `${tag}.jsonl`);
  const summaryPath = join(tmp, `${tag}.summary.json`);
  const args = [
    cli,
    'score',
    ...inputs,
    '--gold', join(spider, 'dev.json'),
    '--db-root', join(spider, 'database'),
    '--schema', join(spider, 'tables.json'),
    '--jobs', String(JOBS),
    '--out', out,
    '--summary-json', summaryPath,
    '--quiet',
    ...extra,
  ];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`steplens score failed (${r.status ?? r.signal}): ${r.stderr}`);
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as ScoreSummary;
  const sums = { structural_ms: 0, execution_ms: 0, test_suite_ms: 0, total_ms: 0 };
  let records = 0;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as ScoredRecord;
    records++;
    sums.structural_ms += rec.timing.structural_ms;
    sums.execution_ms += rec.timing.execution_ms;
    sums.test_suite_ms += rec.timing.test_suite_ms;
    sums.total_ms += rec.timing.total_ms;
  }
  rmSync(out, { force: true });
  return { wall_ms: wall, records, summary, timing_sums: sums };
}

const newestSource = (dir: string): number => {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
};
if (newestSource(join(REPO_ROOT, 'src')) > statSync(dist).mtimeMs) console.log('note: src/ has files newer than dist/cli.cjs; run `npm run build` to benchmark the current sources');

const tmp = mkdtempSync(join(tmpdir(), 'steplens-bench-score-'));
const baselineRuns: BaselineRun[] = [];
const perRecordRuns: BaselineRun[] = [];
const cliRuns: CliRun[] = [];
let tsRun: CliRun | null = null;
let tsFiles: string[] = [];
try {
  console.log(
    `workload: ${files.length} prediction files, ${pairs.length} executable records (${files.length * 1034 - pairs.length} on wta_1 skipped by the baseline); ` +
      `baseline statements: ${predictions} predictions + ${distinctGold} distinct gold = ${statements.length}; ${availableParallelism()} cores, steplens --jobs ${JOBS}`,
  );
  baselineOnce(statements); // warm-up: page cache, JIT
  for (let rep = 0; rep < REPS; rep++) {
    const b = baselineOnce(statements);
    baselineRuns.push(b);
    const pr = baselineOnce(perRecord);
    perRecordRuns.push(pr);
    const c = runScore(files, [], tmp, `score-${rep}`);
    cliRuns.push(c);
    console.log(
      `  rep ${rep + 1}: baseline distinct gold ${sec(b.total_ms)} (parse ${sec(b.parse_ms)}, execute ${sec(b.execute_ms)}), per record ${sec(pr.total_ms)}; ` +
        `steplens ${sec(c.wall_ms)} -> ratios ${fmt(c.wall_ms / b.total_ms, 3)} / ${fmt(c.wall_ms / pr.total_ms, 3)}`,
    );
  }

  // ---- 3. test suite
  if (!SKIP_TS) {
    const preferred = ['codes-15b.txt', 'dail-sql_gpt-4.txt', 'din-sql_gpt4_results_DIN-SQL.csv'];
    const ordered = [...preferred.map((f) => join(predDir, f)).filter((f) => files.includes(f)), ...files.filter((f) => !preferred.some((p) => f.endsWith(`/${p}`)))];
    tsFiles = ordered.slice(0, TS_SYSTEMS);
    tsRun = runScore(tsFiles, ['--test-suite', join(data, 'spider_dev_test_suite')], tmp, 'test-suite');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// ---- report ----------------------------------------------------------------------

const b = {
  parse_ms: median(baselineRuns.map((r) => r.parse_ms)),
  execute_ms: median(baselineRuns.map((r) => r.execute_ms)),
  total_ms: median(baselineRuns.map((r) => r.total_ms)),
};
const last = baselineRuns[baselineRuns.length - 1];
const runaways = baselineRuns.flatMap((r) => r.runaways);
const cliMs = median(cliRuns.map((r) => r.wall_ms));
const ratio = median(cliRuns.map((c, i) => c.wall_ms / baselineRuns[i].total_ms));
const c0 = cliRuns[cliRuns.length - 1];
const ok = ratio <= GOAL_RATIO;

console.log('');
console.log(
  `baseline (1 core): ${statements.length} statements, node-sql-parser parse ${sec(b.parse_ms)} (${last.parse_failures} failed to parse), ` +
    `better-sqlite3 execute ${sec(b.execute_ms)} (${last.execute_errors} errors) = ${sec(b.total_ms)}`,
);
if (runaways.length) for (const r of runaways) console.log(`  RUNAWAY: ${fmt(r.ms, 0)} ms on ${r.db}: ${r.sql}`);
else console.log(`  no statement took more than ${RUNAWAY_MS / 1000} s`);
console.log(
  `steplens score (--jobs ${JOBS}, start-up included): ${c0.records} records, ${sec(cliMs)} (${fmt(c0.records / (cliMs / 1000), 0)} records/s); ` +
    `EX ${fmt(100 * c0.summary.ex.rate, 1)} % of ${c0.summary.executed} executed`,
);
console.log(
  `  per-record timing sums (concurrent, overlapping): structural ${sec(c0.timing_sums.structural_ms)} (main thread), ` +
    `execution ${sec(c0.timing_sums.execution_ms)} (awaiting the pool), in-process wall ${sec(c0.summary.timing.wall_ms)}`,
);
const bestRatio = Math.min(...cliRuns.map((r) => r.wall_ms)) / Math.min(...baselineRuns.map((r) => r.total_ms));
const perRecordMs = median(perRecordRuns.map((r) => r.total_ms));
const perRecordRatio = median(cliRuns.map((c, i) => c.wall_ms / perRecordRuns[i].total_ms));
const perRecordOk = perRecordRatio <= GOAL_RATIO;
console.log(`baseline per record (1 core): ${perRecord.length} statements (each record's prediction and gold) = ${sec(perRecordMs)}`);
console.log(`ratio steplens / baseline, per-record reading: ${fmt(perRecordRatio, 3)} (median of the per-rep ratios); goal <= ${fmt(GOAL_RATIO, 1)}: ${perRecordOk ? 'MET' : 'MISSED'}`);
console.log(`ratio steplens / baseline, distinct-gold reading: ${fmt(ratio, 3)} (median of the per-rep ratios; best run / best run ${fmt(bestRatio, 3)}); goal <= ${fmt(GOAL_RATIO, 1)}: ${ok ? 'MET' : 'MISSED'}`);
const load = loadavg();
if (load[0] > availableParallelism() * 0.75) console.log(`note: load average ${load.map((x) => fmt(x, 2)).join(' ')} on ${availableParallelism()} cores: other processes were competing, times are inflated and noisy`);

let testSuite: Record<string, unknown> | null = null;
if (tsRun) {
  const rps = tsRun.records / (tsRun.wall_ms / 1000);
  const executed = tsRun.summary.executed;
  const tsOk = rps >= GOAL_TS_RPS;
  console.log('');
  console.log(
    `test suite (${tsFiles.length} systems, --jobs ${JOBS}, start-up included): ${tsRun.records} records (${executed} executed) in ${sec(tsRun.wall_ms)} -> ` +
      `${fmt(rps, 0)} records/s (goal >= ${GOAL_TS_RPS}): ${tsOk ? 'MET' : 'MISSED'}`,
  );
  console.log(`  per-record timing sums: structural ${sec(tsRun.timing_sums.structural_ms)}, execution ${sec(tsRun.timing_sums.execution_ms)}, test suite ${sec(tsRun.timing_sums.test_suite_ms)}`);
  const name = Math.max(6, ...tsFiles.map((f) => f.slice(f.lastIndexOf('/') + 1).length));
  console.log(`  ${'system'.padEnd(name)}  records      EX  test-suite EX`);
  const perSystem: Record<string, { records: number; ex: number; test_suite: number | null }> = {};
  for (const f of tsFiles) {
    const s = f.slice(f.lastIndexOf('/') + 1);
    const g = tsRun.summary.per_source[s];
    perSystem[s] = { records: g.records, ex: g.ex.rate, test_suite: g.test_suite ? g.test_suite.rate : null };
    console.log(`  ${s.padEnd(name)}  ${String(g.records).padStart(7)}  ${(fmt(100 * g.ex.rate, 1) + ' %').padStart(6)}  ${(g.test_suite ? fmt(100 * g.test_suite.rate, 1) + ' %' : '-').padStart(13)}`);
  }
  testSuite = {
    systems: tsFiles.map((f) => f.slice(f.lastIndexOf('/') + 1)),
    records: tsRun.records,
    executed,
    wall_ms: tsRun.wall_ms,
    records_per_second: rps,
    goal_records_per_second: GOAL_TS_RPS,
    met: tsOk,
    timing_sums: tsRun.timing_sums,
    test_suite_accuracy: tsRun.summary.test_suite,
    per_system: perSystem,
  };
}

const file = writeResults('score', {
  reps: REPS,
  cores: availableParallelism(),
  jobs: JOBS,
  baseline: {
    /** V8/Node flags of this process, which runs the baseline (StepLens sets its own, src/core/v8-flags.ts). */
    exec_argv: process.execArgv,
    statements: statements.length,
    predictions,
    distinct_gold: distinctGold,
    parse_ms: b.parse_ms,
    execute_ms: b.execute_ms,
    total_ms: b.total_ms,
    parse_failures: last.parse_failures,
    execute_errors: last.execute_errors,
    runaways,
    runs: baselineRuns.map((r) => ({ parse_ms: r.parse_ms, execute_ms: r.execute_ms, total_ms: r.total_ms })),
  },
  steplens: {
    files: files.length,
    records: c0.records,
    executed: c0.summary.executed,
    wall_ms: cliMs,
    runs_ms: cliRuns.map((r) => r.wall_ms),
    records_per_second: c0.records / (cliMs / 1000),
    ex: c0.summary.ex,
    timing_sums: c0.timing_sums,
  },
  ratio,
  best_ratio: bestRatio,
  per_record_baseline: { statements: perRecord.length, total_ms: perRecordMs, runs: perRecordRuns.map((r) => ({ parse_ms: r.parse_ms, execute_ms: r.execute_ms, total_ms: r.total_ms })) },
  per_record_ratio: perRecordRatio,
  per_record_met: perRecordOk,
  goal_ratio: GOAL_RATIO,
  load_average: loadavg(),
  met: ok,
  test_suite: testSuite,
});
console.log(`wrote ${file}`);
