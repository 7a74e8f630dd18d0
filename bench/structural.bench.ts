// Structural scoring speed over the Spider dev (gold, prediction) pairs of the
// 15 published systems in shared/data/spider_dev/predictions: median time per
// pair of parsing (gold + prediction), planning (build + normalize + R1 tree),
// matching (RelPM forest matching only) and the whole `scoreStructural`
// (steps, plans, RelPM, AstPM, StepRTM, mapping), and total / parse-only.
// Pairs whose prediction is empty or whose database is missing (wta_1) are
// skipped. Writes .bench-results/structural.json. Run: npm run bench:structural
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPredictionFile } from '../src/core/data/corpus.ts';
import { matchTreeOf, planAst } from '../src/core/plan/index.ts';
import { schemaFromSqlite } from '../src/core/plan/schema-load.ts';
import type { Schema } from '../src/core/plan/schema.ts';
import { forgetLastForestMatch } from '../src/core/match/forest-match.ts';
import { relpm } from '../src/core/match/relpm.ts';
import type { MatchNode } from '../src/core/match/tree.ts';
import { parseSelect } from '../src/core/sql/parse.ts';
import type { SelectStmt } from '../src/core/sql/ast.ts';
import { scoreStructural } from '../src/core/structural.ts';
import { REPO_ROOT, sharedDataDir } from '../test/helpers/data.ts';

const GOAL_MATCH_MS = 0.3;
const GOAL_RATIO = 2;

const data = sharedDataDir();
if (!data) {
  console.log('shared data not found (set STEPLENS_DATA): nothing to benchmark');
  process.exit(0);
}

interface Pair {
  system: string;
  dbId: string;
  gold: string;
  pred: string;
}

const dev = JSON.parse(readFileSync(join(data, 'spider_dev', 'dev.json'), 'utf8')) as { db_id: string; query: string }[];
const predDir = join(data, 'spider_dev', 'predictions');
const pairs: Pair[] = [];
for (const file of readdirSync(predDir).sort()) {
  for (const e of readPredictionFile(join(predDir, file))) {
    const q = dev[e.index];
    if (!q || e.failed || e.sql.trim() === '') continue;
    pairs.push({ system: file.replace(/\.[^.]+$/, ''), dbId: q.db_id, gold: q.query, pred: e.sql });
  }
}
const schemas = new Map<string, Schema | null>();
const schemaOf = (id: string): Schema | null => {
  if (!schemas.has(id)) {
    const f = join(data, 'spider_dev', 'database', id, `${id}.sqlite`);
    schemas.set(id, existsSync(f) ? schemaFromSqlite(f) : null);
  }
  return schemas.get(id)!;
};
const usable = pairs.filter((p) => schemaOf(p.dbId) !== null);

/** Best of `reps` runs (keeps GC pauses and JIT warm-up out of per-pair times). */
function time(fn: () => unknown, reps = 3): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const tryParse = (sql: string): SelectStmt | undefined => {
  try {
    return parseSelect(sql);
  } catch {
    return undefined;
  }
};
const tryPlan = (ast: SelectStmt | undefined, sql: string, schema: Schema): MatchNode | undefined => {
  if (!ast) return undefined;
  try {
    return matchTreeOf(planAst(ast, sql, schema));
  } catch {
    return undefined;
  }
};

// Warm-up: every code path JIT-compiled before timing.
for (const p of usable.slice(0, 2000)) scoreStructural({ gold_sql: p.gold, pred_sql: p.pred }, schemaOf(p.dbId)!);

const parse: number[] = [];
const plan: number[] = [];
const match: number[] = [];
const total: number[] = [];
let matched = 0;
for (const p of usable) {
  const schema = schemaOf(p.dbId)!;
  let g: SelectStmt | undefined;
  let q: SelectStmt | undefined;
  parse.push(time(() => {
    g = tryParse(p.gold);
    q = tryParse(p.pred);
  }));
  let gt: MatchNode | undefined;
  let pt: MatchNode | undefined;
  plan.push(time(() => {
    gt = tryPlan(g, p.gold, schema);
    pt = tryPlan(q, p.pred, schema);
  }));
  if (gt && pt) {
    const a = gt;
    const b = pt;
    // forestMatch answers a repeat of its last call from memory; each timed call must compute.
    match.push(time(() => {
      forgetLastForestMatch();
      relpm(a, b);
    }));
    matched++;
  }
  total.push(time(() => scoreStructural({ gold_sql: p.gold, pred_sql: p.pred }, schema)));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};
const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] : NaN;
};
const r = (x: number) => Number(x.toFixed(4));
const med = { parse: median(parse), plan: median(plan), match: median(match), total: median(total) };
const result = {
  benchmark: 'structural',
  node: process.version,
  date: new Date().toISOString(),
  systems: new Set(pairs.map((p) => p.system)).size,
  pairs_read: pairs.length,
  pairs_timed: usable.length,
  pairs_matched: matched,
  median_ms_per_pair: { parse: r(med.parse), plan: r(med.plan), match: r(med.match), total: r(med.total) },
  p95_ms_per_pair: { parse: r(p95(parse)), plan: r(p95(plan)), match: r(p95(match)), total: r(p95(total)) },
  ratio_total_to_parse: r(med.total / med.parse),
  goals: { match_median_ms: GOAL_MATCH_MS, total_to_parse_ratio: GOAL_RATIO },
  meets_goals: { match: med.match <= GOAL_MATCH_MS, ratio: med.total / med.parse <= GOAL_RATIO },
};

const outDir = join(REPO_ROOT, '.bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'structural.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
