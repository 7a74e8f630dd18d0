// Parser benchmark on the shared corpora (SQLite-preparable unique
// statements): median / p90 / p99 time per statement for parseSelect and for
// node-sql-parser's sqlite mode, after warm-up, plus both parse rates.
// Writes .bench-results/parse.json. Run: node bench/parse.bench.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseSelect } from '../src/core/sql/parse.ts';
import { loadCorpora } from '../test/corpus/corpus.ts';
import { REPO_ROOT } from '../test/helpers/data.ts';

const GOAL_MS = 0.1;

interface AstParser {
  astify(sql: string, opt: { database: string }): unknown;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** Per-statement time = mean of `reps` back-to-back calls, best of 3 batches. */
function time(statements: string[], fn: (sql: string) => unknown, reps: number): { ok: number; ms: number[] } {
  let ok = 0;
  const ms: number[] = [];
  for (const sql of statements.slice(0, 500)) tryRun(fn, sql); // warm-up
  for (const sql of statements) {
    if (!tryRun(fn, sql)) continue;
    ok++;
    let best = Infinity;
    for (let b = 0; b < 3; b++) {
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) fn(sql);
      best = Math.min(best, (performance.now() - t0) / reps);
    }
    ms.push(best);
  }
  ms.sort((a, b) => a - b);
  return { ok, ms };
}

function tryRun(fn: (sql: string) => unknown, sql: string): boolean {
  try {
    fn(sql);
    return true;
  } catch {
    return false;
  }
}

const corpora = loadCorpora();
if (!corpora) {
  console.log('shared data not found (set STEPLENS_DATA); nothing to benchmark');
  process.exit(0);
}
const statements = corpora.flatMap((c) => c.statements.map((s) => s.sql));
const nsp = new (createRequire(import.meta.url)('node-sql-parser/build/sqlite.js') as { Parser: new () => AstParser }).Parser();

const ours = time(statements, parseSelect, 20);
const theirs = time(statements, (sql) => nsp.astify(sql, { database: 'sqlite' }), 3);
const summary = (r: { ok: number; ms: number[] }) => ({
  parsed: r.ok,
  rate: r.ok / statements.length,
  medianMs: quantile(r.ms, 0.5),
  p90Ms: quantile(r.ms, 0.9),
  p99Ms: quantile(r.ms, 0.99),
  maxMs: r.ms[r.ms.length - 1],
});
const result = { statements: statements.length, steplens: summary(ours), nodeSqlParser: summary(theirs), goalMedianMs: GOAL_MS };
const fmt = (r: ReturnType<typeof summary>) =>
  `${r.parsed}/${statements.length} (${(100 * r.rate).toFixed(2)} %), median ${(r.medianMs * 1000).toFixed(1)} µs, p90 ${(r.p90Ms * 1000).toFixed(1)} µs, p99 ${(r.p99Ms * 1000).toFixed(1)} µs, max ${(r.maxMs * 1000).toFixed(0)} µs`;
console.log(`parseSelect      ${fmt(result.steplens)}`);
console.log(`node-sql-parser  ${fmt(result.nodeSqlParser)}`);
console.log(result.steplens.medianMs <= GOAL_MS ? `median within the ${GOAL_MS} ms goal` : `median ABOVE the ${GOAL_MS} ms goal`);
const outDir = join(REPO_ROOT, '.bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'parse.json'), JSON.stringify(result, null, 2) + '\n');
