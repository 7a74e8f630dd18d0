// Bounded work per record (issue 14): hostile statements are analyzed or
// refused within 2 s and 200 MB above the baseline, through both paths that
// analyze untrusted SQL: the structural scorer `steplens score` runs, and the
// editor's inspectStatement ("editor" below: the language server calls it on
// every edit).
//
// Each case runs in a fresh child process so one case's heap does not count
// against the next; the baseline is the child's resident set after loading
// the modules and the schema, the peak is the kernel's high-water mark.
//
//   npm run bench:bounded            (needs no shared data: the bundled concert_singer database)

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeResults } from './lib/results.ts';
import { REPO_ROOT } from '../test/helpers/data.ts';

const GOAL_MS = 2000;
const GOAL_MB = 200;

const CASES: Record<string, (n: number) => string> = {
  'chained CTEs': (n) => `WITH ${Array.from({ length: n }, (_, i) => (i === 0 ? 'c1 AS (SELECT name FROM singer)' : `c${i + 1} AS (SELECT name FROM c${i})`)).join(', ')} SELECT * FROM c${n}`,
  'independent CTEs': (n) => `WITH ${Array.from({ length: n }, (_, i) => `c${i + 1} AS (SELECT name FROM singer WHERE age > ${i})`).join(', ')} SELECT * FROM c${n}`,
  'nested parentheses': (n) => `SELECT name FROM singer WHERE age > ${'('.repeat(n)}1${')'.repeat(n)}`,
  'AND chain': (n) => `SELECT name FROM singer WHERE ${Array.from({ length: n }, (_, i) => `age > ${i}`).join(' AND ')}`,
  'OR chain': (n) => `SELECT name FROM singer WHERE ${Array.from({ length: n }, (_, i) => `age = ${i}`).join(' OR ')}`,
  'UNION chain': (n) => Array.from({ length: n }, (_, i) => `SELECT name FROM singer WHERE age > ${i}`).join(' UNION '),
  'UNION ALL chain': (n) => Array.from({ length: n }, (_, i) => `SELECT name FROM singer WHERE age > ${i}`).join(' UNION ALL '),
};
// The largest statements SQLite itself accepts are analyzed, not refused.
CASES['chained CTEs (SQLite accepts)'] = CASES['chained CTEs'];
CASES['UNION ALL chain (SQLite accepts)'] = CASES['UNION ALL chain'];
const SIZES: Record<string, number> = {
  'chained CTEs (SQLite accepts)': 999,
  'UNION ALL chain (SQLite accepts)': 500,
  'chained CTEs': 5000,
  'independent CTEs': 5000,
  'nested parentheses': 10000,
  'AND chain': 5000,
  'OR chain': 5000,
  'UNION chain': 5000,
  'UNION ALL chain': 5000,
};

interface Measure {
  case: string;
  path: 'score' | 'editor';
  size: number;
  sqlBytes: number;
  ms: number;
  rssAboveBaselineMB: number;
  outcome: string;
}

// The child: builds the statement, runs one path, reports time, peak RSS above baseline and what came out.
const CHILD = `
import { schemaFromSqlite } from ${JSON.stringify(join(REPO_ROOT, 'src/core/plan/schema-load.ts'))};
import { scoreStructural } from ${JSON.stringify(join(REPO_ROOT, 'src/core/structural.ts'))};
import { inspectStatement } from ${JSON.stringify(join(REPO_ROOT, 'src/core/inspect.ts'))};
import { readFileSync } from 'node:fs';
const path = process.argv[2];
const sql = readFileSync(0, 'utf8');
const schema = schemaFromSqlite(${JSON.stringify(join(REPO_ROOT, 'data/spider/concert_singer/concert_singer.sqlite'))});
const gold = 'SELECT name FROM singer WHERE age > 30';
// Warm the code paths on a small statement so the baseline holds the compiled code.
scoreStructural({ gold_sql: gold, pred_sql: 'SELECT name FROM singer' }, schema);
inspectStatement('SELECT name FROM singer', schema, gold);
globalThis.gc?.();
const base = process.memoryUsage().rss;
let peak = base;
// Linux keeps the resident high-water mark (VmHWM); writing 5 to clear_refs resets it to now,
// so the peak inside synchronous work is seen, not just the RSS at its end.
import { writeFileSync } from 'node:fs';
let hwm = false;
try { writeFileSync('/proc/self/clear_refs', '5'); hwm = true; } catch {}
const sample = () => {
  let r = process.memoryUsage().rss;
  if (hwm) { const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')); if (m) r = Math.max(r, Number(m[1]) * 1024); }
  if (r > peak) peak = r;
};
const t0 = performance.now();
let outcome;
if (path === 'score') {
  const s = scoreStructural({ gold_sql: gold, pred_sql: sql }, schema);
  sample();
  JSON.stringify(s);
  outcome = s.errors.length ? 'refused: ' + s.errors[0].kind + ' (' + s.errors.length + ' errors)' : 'analyzed: ' + s.steprtm.steps.length + ' steps';
} else {
  const r = inspectStatement(sql, schema, gold);
  sample();
  outcome = r.errors.length ? 'refused: ' + r.errors[0].kind + ' (' + r.errors.length + ' errors)' : 'analyzed: ' + r.steps.length + ' steps';
}
const ms = performance.now() - t0;
sample();
process.stdout.write(JSON.stringify({ ms, rssAboveBaselineMB: (peak - base) / 1e6, outcome }));
`;

function runCase(name: string, path: 'score' | 'editor'): Measure {
  const size = SIZES[name];
  const sql = CASES[name](size);
  // The statement goes through stdin: one argument may not exceed 128 KiB.
  const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD, path], {
    input: sql,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`${name} (${path}) failed (status ${child.status}, ${child.signal ?? "no signal"}): ${child.error?.message ?? ""} ${child.stderr?.slice(-2000) ?? ""}`);
  const r = JSON.parse(child.stdout) as { ms: number; rssAboveBaselineMB: number; outcome: string };
  return { case: name, path, size, sqlBytes: sql.length, ms: Math.round(r.ms), rssAboveBaselineMB: Math.round(r.rssAboveBaselineMB), outcome: r.outcome };
}

const rows: Measure[] = [];
for (const name of Object.keys(CASES)) for (const path of ['score', 'editor'] as const) rows.push(runCase(name, path));

console.log(`bounded work per record (goal: ≤ ${GOAL_MS} ms and ≤ ${GOAL_MB} MB above baseline each)`);
for (const r of rows) {
  const ok = r.ms <= GOAL_MS && r.rssAboveBaselineMB <= GOAL_MB;
  console.log(
    `${ok ? 'ok  ' : 'MISS'} ${`${r.size.toLocaleString('en')} ${r.case}`.padEnd(40)} ${r.path.padEnd(8)} ${String(r.ms).padStart(5)} ms ${String(r.rssAboveBaselineMB).padStart(4)} MB  ${r.outcome}`,
  );
}
const worstMs = Math.max(...rows.map((r) => r.ms));
const worstMb = Math.max(...rows.map((r) => r.rssAboveBaselineMB));
console.log(`worst: ${worstMs} ms (${(worstMs / GOAL_MS).toFixed(2)} of the goal), ${worstMb} MB (${(worstMb / GOAL_MB).toFixed(2)} of the goal)`);
const file = writeResults('bounded', { goalMs: GOAL_MS, goalMB: GOAL_MB, worstMs, worstMb, met: worstMs <= GOAL_MS && worstMb <= GOAL_MB, cases: rows });
console.log(`written to ${file}`);
