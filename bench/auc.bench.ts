// Agreement of the execution-free structural scores with functional
// correctness: ROC AUC of RelPM F1, AstPM F1 and their mean against the
// Spider-Pair dev labels (shared/data/spider_pair/spider_pair_dev.jsonl, 1,644
// pairs labelled equivalent / not by the FuncEvalGMN authors). Schemas come
// from Spider's tables.json (wta_1 included; the bar is on this run), and
// again from the SQLite databases where they exist (tables.json for wta_1),
// which know composite primary keys and NOT NULL. Also the RelPM AUC of the
// authors' released Calcite plans, for reference. Writes
// .bench-results/auc.json. Run: npm run bench:auc
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rocAuc } from '../src/core/match/auc.ts';
import { releasedPlanToTree, type ReleasedPlan } from '../src/core/match/released-plan.ts';
import { relpm } from '../src/core/match/relpm.ts';
import { readTablesJsonById, schemaFromSqlite, schemaFromTablesJson } from '../src/core/plan/schema-load.ts';
import type { Schema } from '../src/core/plan/schema.ts';
import { scoreStructural } from '../src/core/structural.ts';
import { REPO_ROOT, sharedDataDir } from '../test/helpers/data.ts';

const BAR = 0.9;
const data = sharedDataDir();
if (!data) {
  console.log('shared data not found (set STEPLENS_DATA): nothing to benchmark');
  process.exit(0);
}

interface Pair {
  id: number;
  source: string;
  db_id: string;
  gold_sql: string;
  pred_sql: string;
  label: number;
}
const readJsonl = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);

const pairs = readJsonl<Pair>(join(data, 'spider_pair', 'spider_pair_dev.jsonl'));
const tables = readTablesJsonById(join(data, 'spider_dev', 'tables.json'));
const r4 = (x: number) => Number(x.toFixed(4));

function evaluate(schemaOf: (dbId: string) => Schema) {
  const relpmF1: number[] = [];
  const astpmF1: number[] = [];
  const labels: number[] = [];
  let predErrors = 0;
  let goldErrors = 0;
  const bySource = new Map<string, { r: number[]; l: number[] }>();
  const t0 = performance.now();
  for (const p of pairs) {
    const s = scoreStructural(p, schemaOf(p.db_id));
    if (!s.relpm) goldErrors++;
    else if (s.errors.some((e) => e.side === 'pred')) predErrors++;
    const r = s.relpm?.f1 ?? 0;
    relpmF1.push(r);
    astpmF1.push(s.astpm?.f1 ?? 0);
    labels.push(p.label);
    let b = bySource.get(p.source);
    if (!b) bySource.set(p.source, (b = { r: [], l: [] }));
    b.r.push(r);
    b.l.push(p.label);
  }
  const ms = performance.now() - t0;
  const mean = relpmF1.map((r, i) => (r + astpmF1[i]) / 2);
  return {
    relpm_auc: r4(rocAuc(relpmF1, labels)),
    astpm_auc: r4(rocAuc(astpmF1, labels)),
    combined_mean_auc: r4(rocAuc(mean, labels)),
    relpm_auc_by_source: Object.fromEntries([...bySource].map(([k, v]) => [k, { pairs: v.l.length, auc: r4(rocAuc(v.r, v.l)) }])),
    relpm_f1_1_negatives: relpmF1.filter((f, i) => f === 1 && labels[i] === 0).length,
    relpm_f1_1_positives: relpmF1.filter((f, i) => f === 1 && labels[i] === 1).length,
    gold_errors: goldErrors,
    pred_errors: predErrors,
    ms_per_pair: r4(ms / pairs.length),
  };
}

const jsonSchemas = new Map<string, Schema>();
const fromTablesJson = (id: string) => {
  let s = jsonSchemas.get(id);
  if (!s) jsonSchemas.set(id, (s = schemaFromTablesJson(tables.get(id)!)));
  return s;
};
const sqliteSchemas = new Map<string, Schema>();
const fromSqlite = (id: string) => {
  let s = sqliteSchemas.get(id);
  if (!s) {
    const f = join(data, 'spider_dev', 'database', id, `${id}.sqlite`);
    s = existsSync(f) ? schemaFromSqlite(f) : fromTablesJson(id);
    sqliteSchemas.set(id, s);
  }
  return s;
};

const tablesJsonRun = evaluate(fromTablesJson);
const sqliteRun = evaluate(fromSqlite);

// The authors' released plans, R1 trees derived by released-plan.ts.
const plans = readJsonl<{ id: number; gold_plan: ReleasedPlan; pred_plan: ReleasedPlan }>(join(data, 'spider_pair', 'spider_pair_dev_plans.jsonl'));
const labelOf = new Map(pairs.map((p) => [p.id, p.label]));
const released = plans.map((r) => relpm(releasedPlanToTree(r.gold_plan), releasedPlanToTree(r.pred_plan)).f1);

const result = {
  benchmark: 'auc',
  node: process.version,
  date: new Date().toISOString(),
  pairs: pairs.length,
  positives: pairs.filter((p) => p.label === 1).length,
  bar_relpm_auc: BAR,
  schema_tables_json: tablesJsonRun,
  schema_sqlite_where_available: sqliteRun,
  released_calcite_plans_relpm_auc: r4(rocAuc(released, plans.map((r) => labelOf.get(r.id)!))),
  spec_reference_relpm_auc: 0.876,
  meets_bar: tablesJsonRun.relpm_auc >= BAR,
};

const outDir = join(REPO_ROOT, '.bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'auc.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
