// npm run bench:plan — parse, plan (build + normalize) and total time per
// unique Spider statement (dev gold and the 15 published prediction sets).
// Goal: planning and normalization add at most 50 % to parsing
// (total <= 1.5 x parse-only), and the whole corpus fits in memory.

import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { parseSelect } from '../src/core/sql/parse.ts';
import { planAst } from '../src/core/plan/index.ts';
import { schemaFromSqlite } from '../src/core/plan/schema-load.ts';
import type { Schema } from '../src/core/plan/schema.ts';
import { loadSpiderPairs, median, percentile, uniqueStatements } from './lib/spider-pairs.ts';
import { requireData, writeResults } from './lib/results.ts';

const data = requireData();
const statements = uniqueStatements(loadSpiderPairs(data));
const schemas = new Map<string, Schema>();
for (const s of statements) if (!schemas.has(s.dbId)) schemas.set(s.dbId, schemaFromSqlite(s.dbPath));

const ROUNDS = 5;
const parseTimes: number[][] = statements.map(() => []);
const planTimes: number[][] = statements.map(() => []);
let failures = 0;
const kept: unknown[] = [];
for (let round = 0; round < ROUNDS + 1; round++) {
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    const t0 = performance.now();
    let ast;
    try {
      ast = parseSelect(s.sql);
    } catch {
      if (round === 0) failures++;
      continue;
    }
    const t1 = performance.now();
    try {
      const plan = planAst(ast, s.sql, schemas.get(s.dbId)!);
      if (round === ROUNDS) kept.push(plan);
    } catch {
      if (round === 0) failures++;
      continue;
    }
    const t2 = performance.now();
    if (round > 0) {
      // round 0 warms up the JIT
      parseTimes[i].push(t1 - t0);
      planTimes[i].push(t2 - t1);
    }
  }
}
// Memory with every statement's AST and normalized plan alive at once.
globalThis.gc?.();
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;

const perStatement = (xs: number[][]) => xs.filter((x) => x.length).map(median);
const parse = perStatement(parseTimes);
const plan = perStatement(planTimes);
const total = parse.map((p, i) => p + plan[i]);
const ms = (x: number) => Number(x.toFixed(4));

// For scale: node-sql-parser (the parser named in the design) on the same statements.
let nspMedian: number | null = null;
try {
  const { Parser } = createRequire(import.meta.url)('node-sql-parser/build/sqlite.js') as { Parser: new () => { astify(sql: string, o: object): unknown } };
  const p = new Parser();
  const times: number[] = [];
  for (const s of statements) {
    const t0 = performance.now();
    try {
      p.astify(s.sql, { database: 'sqlite' });
    } catch {
      continue;
    }
    times.push(performance.now() - t0);
  }
  nspMedian = median(times);
} catch {
  nspMedian = null;
}

const results = {
  statements: statements.length,
  failures,
  median_ms: { parse: ms(median(parse)), plan: ms(median(plan)), total: ms(median(total)) },
  p95_ms: { parse: ms(percentile(parse, 0.95)), plan: ms(percentile(plan, 0.95)), total: ms(percentile(total, 0.95)) },
  ratio_total_over_parse: Number((median(total) / median(parse)).toFixed(3)),
  node_sql_parser_median_ms: nspMedian === null ? null : ms(nspMedian),
  ratio_total_over_node_sql_parser: nspMedian === null ? null : Number((median(total) / nspMedian).toFixed(3)),
  heap_mb_with_all_plans: Number(heapMb.toFixed(1)),
  goal: 'total <= 1.5 x parse-only',
};
const file = writeResults('plan', results);
console.log(`${statements.length} unique Spider statements (${failures} failed), ${ROUNDS} rounds, medians per statement:`);
console.log(`  parse ${results.median_ms.parse} ms   plan ${results.median_ms.plan} ms   total ${results.median_ms.total} ms`);
console.log(`  ratio total / parse = ${results.ratio_total_over_parse}  (goal <= 1.5)`);
if (nspMedian !== null) console.log(`  node-sql-parser parse alone: ${results.node_sql_parser_median_ms} ms  (our total / its parse = ${results.ratio_total_over_node_sql_parser})`);
console.log(`  heap with all ${kept.length} plans alive: ${results.heap_mb_with_all_plans} MB`);
console.log(`  written to ${file}`);
