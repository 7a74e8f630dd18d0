// `steplens score --test-suite` against the official Spider evaluator (npm run bench:official).
// The bar: on 2 cores, `steplens score --test-suite` with every reward is at
// least 10x faster than the official evaluator computing test-suite EX alone for the
// same system, in one run.
//
//  1. Official: taoyds/test-suite-sql-eval `exec_eval.eval_exec_match` over every
//     record of one system (BENCH_SYSTEM, default codes-7b; gold from gold_example.txt,
//     records on wta_1 skipped as it has no database), driven as `evaluation.py --etype
//     exec` calls it, by scripts/official-metrics/time_test_suite.py: one process, wall
//     time from spawn to exit. Its database folder is the official layout: a folder of
//     symlinks per database, the dev database plus its test-suite variants.
//     evaluation.py also parses every query for its hardness table (process_sql, which
//     needs nltk): that is left out, so the official time is a lower bound.
//  2. StepLens: `node bin/steplens.cjs score <system> --gold gold_example.txt --db-root
//     ... --test-suite ... --jobs 2 --out <tmp> --quiet`, every reward, wall time from
//     spawn to exit, fresh process and caches each time.
//  The two alternate BENCH_REPS times (default 3); medians are compared. The official
//  verdicts are checked against StepLens' `test_suite.correct` record by record.
//  3. The floor, once, in this process: the statements of the official loop (gold then
//     prediction per database, stopping at the first failure) executed with a bare
//     better-sqlite3 `all()` on one thread, connections kept open, and compared with
//     result_eq; all records, and the distinct (database, gold, prediction) runs only.
//     What no sandboxed run can go below (docs/decisions.md, "Test-suite EX in the workers").
//
// The official sources: BENCH_TSE (a checkout of taoyds/test-suite-sql-eval) and
// BENCH_SQLPARSE (andialbrecht/sqlparse 0.6.0), else extracted from the mirrors in
// BENCH_MIRROR (default /work/.mirror) with `git archive`. Without them, or without
// python3, the benchmark says so and exits 0. Needs `npm run build` (dist/cli.cjs).

import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareLikeDefaultSqlite } from '../src/core/exec/execute.ts';
import { officialTexts, resultEq } from '../src/core/exec/official.ts';
import type { ScoredRecord } from '../src/core/score/types.ts';
import { REPO_ROOT } from '../test/helpers/data.ts';
import { requireData, writeResults } from './lib/results.ts';
import { median } from './lib/spider-pairs.ts';

const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3));
const JOBS = Math.max(1, Number(process.env.BENCH_JOBS ?? 2));
const SYSTEM = process.env.BENCH_SYSTEM ?? 'codes-7b';
const GOAL = 10;
const SKIPPED_DB = 'wta_1';

const data = requireData();
const spider = join(data, 'spider_dev');
const suiteRoot = join(data, 'spider_dev_test_suite');
const predFile = join(spider, 'predictions', `${SYSTEM}.txt`);
const goldFile = join(spider, 'gold_example.txt');
const cli = join(REPO_ROOT, 'bin/steplens.cjs');
if (!existsSync(join(REPO_ROOT, 'dist/cli.cjs'))) {
  console.error('dist/cli.cjs not found: run `npm run build` first');
  process.exit(2);
}
if (!existsSync(predFile)) {
  console.error(`no predictions for ${SYSTEM}: ${predFile}`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'steplens-bench-official-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function skip(why: string): never {
  console.log(`bench:official skipped: ${why}`);
  process.exit(0);
}

/** A source tree: the env var's folder, else the mirror's snapshot at `ref` extracted with git archive. */
function officialSource(envVar: string, mirror: string, ref: string): string | null {
  const given = process.env[envVar];
  if (given) return existsSync(given) ? given : null;
  const gitDir = join(process.env.BENCH_MIRROR ?? '/work/.mirror', mirror, 'repo');
  if (!existsSync(gitDir)) return null;
  const out = join(work, mirror);
  mkdirSync(out);
  const r = spawnSync('sh', ['-c', `git --git-dir="$0" archive "$1" | tar -x -C "$2"`, gitDir, ref, out], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  return r.status === 0 ? out : null;
}

if (spawnSync('python3', ['--version']).status !== 0) skip('python3 is not on PATH');
const tse = officialSource('BENCH_TSE', 'taoyds+test-suite-sql-eval', 'HEAD');
const sqlparse = officialSource('BENCH_SQLPARSE', 'andialbrecht+sqlparse', '0.6.0');
if (!tse || !existsSync(join(tse, 'exec_eval.py'))) skip('no taoyds/test-suite-sql-eval (set BENCH_TSE to a checkout)');
if (!sqlparse || !existsSync(join(sqlparse, 'sqlparse'))) skip('no andialbrecht/sqlparse 0.6.0 (set BENCH_SQLPARSE to a checkout)');

// The official inputs: records on wta_1 dropped, and the official folder layout.
const goldLines = readFileSync(goldFile, 'utf8').split('\n').filter((l) => l.trim());
const predLines = readFileSync(predFile, 'utf8').split('\n');
const kept: number[] = [];
goldLines.forEach((l, i) => {
  if (l.trim().split('\t')[1] !== SKIPPED_DB) kept.push(i);
});
writeFileSync(join(work, 'gold.txt'), kept.map((i) => goldLines[i]).join('\n') + '\n');
writeFileSync(join(work, 'pred.txt'), kept.map((i) => predLines[i] ?? '').join('\n') + '\n');
const layout = join(work, 'databases');
for (const db of new Set(kept.map((i) => goldLines[i].trim().split('\t')[1]))) {
  const d = join(layout, db);
  mkdirSync(d, { recursive: true });
  symlinkSync(join(spider, 'database', db, `${db}.sqlite`), join(d, `${db}.sqlite`));
  const variants = join(suiteRoot, db);
  if (existsSync(variants)) for (const v of readdirSync(variants)) if (v.endsWith('.sqlite') && v !== `${db}.sqlite`) symlinkSync(join(variants, v), join(d, v));
}

interface OfficialRun {
  seconds: number;
  records: number;
  correct: number;
  errors: number;
  per_record: string;
}

function runOfficial(): { wall: number; run: OfficialRun } {
  const script = join(REPO_ROOT, 'scripts/official-metrics/time_test_suite.py');
  const args = [script, '--tse', tse!, '--gold', join(work, 'gold.txt'), '--pred', join(work, 'pred.txt'), '--db', layout];
  const t0 = performance.now();
  const r = spawnSync('python3', args, { env: { ...process.env, PYTHONPATH: sqlparse! }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`official evaluator failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  return { wall, run: JSON.parse(r.stdout.trim().split('\n').pop()!) as OfficialRun };
}

function runStepLens(): { wall: number; records: ScoredRecord[] } {
  const out = join(work, 'steplens.jsonl');
  rmSync(out, { force: true });
  const args = [cli, 'score', predFile, '--gold', goldFile, '--db-root', join(spider, 'database'), '--test-suite', suiteRoot, '--jobs', String(JOBS), '--out', out, '--quiet'];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`steplens score failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  const records: ScoredRecord[] = [];
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as ScoredRecord & { index?: number };
    if (typeof rec.index === 'number') records.push(rec);
  }
  return { wall, records };
}

console.log(`bench:official: ${SYSTEM}, ${kept.length} records, ${availableParallelism()} cores, ${REPS} reps, load ${loadavg()[0].toFixed(2)}`);
const officialWalls: number[] = [];
const ourWalls: number[] = [];
let official: OfficialRun | null = null;
let ours: ScoredRecord[] = [];
for (let rep = 0; rep < REPS; rep++) {
  const o = runOfficial();
  official = o.run;
  officialWalls.push(o.wall);
  const s = runStepLens();
  ours = s.records;
  ourWalls.push(s.wall);
  console.log(`  rep ${rep + 1}: official ${(o.wall / 1000).toFixed(2)} s, steplens ${(s.wall / 1000).toFixed(2)} s`);
}

/** Seconds the official loop's statements take in SQLite alone (see the header, 3). */
function floor(distinctOnly: boolean): number {
  const conns = new Map<string, InstanceType<typeof Database>>();
  const rows = (path: string, sql: string): unknown[][] | null => {
    let c = conns.get(path);
    if (!c) conns.set(path, (c = new Database(path, { readonly: true, fileMustExist: true })));
    try {
      const st = prepareLikeDefaultSqlite(c, sql);
      return st.reader ? (st.raw(true).all() as unknown[][]) : null;
    } catch {
      return null;
    }
  };
  const seen = new Set<string>();
  const t0 = performance.now();
  for (const i of kept) {
    const [gold, db] = goldLines[i].trim().split('\t');
    const texts = officialTexts(gold, (predLines[i] ?? '').trim().split('\t')[0]);
    if (distinctOnly) {
      const key = `${db}\u0000${texts.gold}\u0000${texts.pred}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    for (const f of readdirSync(join(layout, db))) {
      const path = join(layout, db, f);
      const g = rows(path, texts.gold);
      const p = rows(path, texts.pred);
      if (!g || !p || !resultEq(g as never, p as never, texts.orderMatters)) break;
    }
  }
  const s = (performance.now() - t0) / 1000;
  for (const c of conns.values()) c.close();
  return s;
}
const floorAll = floor(false);
const floorDistinct = floor(true);

// Record by record: the official mark (1, 0, E = it raised) against test_suite.correct.
const byIndex = new Map(ours.map((r) => [r.index, r]));
let agree = 0;
const disagreements: string[] = [];
kept.forEach((line, k) => {
  const mark = official!.per_record[k];
  const rec = byIndex.get(line);
  const c = rec?.test_suite?.correct;
  const mine = c === true ? '1' : c === false ? '0' : 'E';
  if (mine === mark) agree++;
  else if (disagreements.length < 10) disagreements.push(`line ${line + 1}: official ${mark}, steplens ${mine}`);
});

const officialS = median(officialWalls) / 1000;
const oursS = median(ourWalls) / 1000;
const ratio = officialS / oursS;
console.log(`official evaluator, test-suite EX alone: ${officialS.toFixed(2)} s (median wall; its own loop ${official!.seconds.toFixed(2)} s), ${official!.correct}/${official!.records} correct`);
console.log(`steplens score --test-suite, every reward, --jobs ${JOBS}: ${oursS.toFixed(2)} s (median wall)`);
console.log(`ratio ${ratio.toFixed(2)}x (goal >= ${GOAL}x): ${ratio >= GOAL ? 'met' : 'NOT met'}`);
console.log(`floor, SQLite alone on one thread for the official loop's statements: ${floorAll.toFixed(2)} s (distinct runs only: ${floorDistinct.toFixed(2)} s)`);
console.log(`per-record agreement with the official verdicts: ${agree}/${kept.length}${disagreements.length ? ' — ' + disagreements.join('; ') : ''}`);
const file = writeResults('official', {
  system: SYSTEM,
  records: kept.length,
  cores: availableParallelism(),
  jobs: JOBS,
  reps: REPS,
  official_wall_s: officialWalls.map((x) => x / 1000),
  steplens_wall_s: ourWalls.map((x) => x / 1000),
  official_median_s: officialS,
  steplens_median_s: oursS,
  ratio,
  goal_ratio: GOAL,
  met: ratio >= GOAL,
  floor_one_thread_s: floorAll,
  floor_one_thread_distinct_s: floorDistinct,
  official_correct: official!.correct,
  agreement: agree,
  disagreements,
});
console.log(`written ${file}`);
if (agree !== kept.length) process.exitCode = 1;
